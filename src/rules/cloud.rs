//! The national clouds of SPEC §5.5: where each one's identity platform and Microsoft
//! Graph live.

use super::{Code, FieldCheck};

/// A Microsoft cloud instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Cloud {
    /// Microsoft Entra ID global service.
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    UsGovDod,
    /// Microsoft Entra ID operated by 21Vianet (China).
    China,
}

impl Cloud {
    /// Every cloud, in the order the form lists them.
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::UsGov, Cloud::UsGovDod, Cloud::China];

    /// The option value (`global`, `usgov`, `usgov-dod`, `china`).
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usgov",
            Cloud::UsGovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }

    /// Parses an option value exactly (no trimming, case-sensitive).
    pub fn from_name(name: &str) -> Option<Cloud> {
        Cloud::ALL.into_iter().find(|cloud| cloud.name() == name)
    }

    /// The identity platform's host (the "authority").
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::UsGov | Cloud::UsGovDod => "login.microsoftonline.us",
            Cloud::China => "login.chinacloudapi.cn",
        }
    }

    /// The Microsoft Graph host of this cloud.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGov => "graph.microsoft.us",
            Cloud::UsGovDod => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The default scope: this cloud's Microsoft Graph `/.default`.
    pub fn default_scope(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com/.default",
            Cloud::UsGov => "https://graph.microsoft.us/.default",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us/.default",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn/.default",
        }
    }
}

/// Checks a cloud name; empty (after cleaning) means `global`. Returns the check and the
/// cloud the other rules should assume (`global` when the name is unknown).
pub fn check_cloud(raw: &str) -> (FieldCheck, Cloud) {
    // The raw length is checked before any other work, like every other rule.
    if raw.len() > super::MAX_INPUT_LEN {
        let check = FieldCheck {
            normalized: String::new(),
            error: Some(Code::CloudUnknown),
            warning: None,
        };
        return (check, Cloud::Global);
    }
    let cleaned = super::clean(raw);
    let lowered = cleaned.to_ascii_lowercase();
    let (cloud, error) = if lowered.is_empty() {
        (Cloud::Global, None)
    } else {
        match Cloud::from_name(&lowered) {
            Some(cloud) => (cloud, None),
            None => (Cloud::Global, Some(Code::CloudUnknown)),
        }
    };
    let normalized = if error.is_some() {
        lowered
    } else {
        cloud.name().to_string()
    };
    (
        FieldCheck {
            normalized,
            error,
            warning: None,
        },
        cloud,
    )
}
