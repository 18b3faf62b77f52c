#![cfg(not(target_arch = "wasm32"))]
//! The connection endpoint contract (SPEC §6) as pure Rust: request shape, success and
//! failure classification, the retry policy, `Retry-After` parsing and the Nango mapping.

use entra_connect::error::ErrorCode;
use entra_connect::protocol::{
    body_fields, classify_network_error, classify_response, decimal, is_cross_origin, is_success,
    ms_to_secs_ceil, nango_field, nango_url, parse_retry_after, parse_success, request_headers,
    retry_delay_ms, Body, ErrorFields, Next, Outgoing, Protocol, SuccessFields, BASE_DELAY_MS,
    MAX_ATTEMPTS, MAX_DELAY_MS,
};
use entra_connect::rules::Field;
use proptest::prelude::*;

const SECRET: &str = "Emu8Q~ContosoSampleSecret-0123456789abcd";

fn outgoing() -> Outgoing<'static> {
    Outgoing {
        tenant_id: "contoso.onmicrosoft.com",
        client_id: "38a6702a-fb0c-4495-976f-5e260e080751",
        client_secret: SECRET,
        scope: "https://graph.microsoft.com/.default",
        cloud: "global",
    }
}

fn error_body(code: &str, field: Option<&str>) -> Body {
    Body::Error(ErrorFields {
        code: Some(code.into()),
        message: Some("Server says no.".into()),
        field: field.map(String::from),
        details: None,
    })
}

// ---------------------------------------------------------------- request (§6.1, §6.4)

#[test]
fn endpoint_body_has_the_five_normalized_fields_in_order() {
    let fields = body_fields(Protocol::Endpoint, &outgoing());
    let names: Vec<_> = fields.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        ["tenant_id", "client_id", "client_secret", "scope", "cloud"]
    );
    assert_eq!(fields[2].1, SECRET);
}

#[test]
fn nango_body_has_only_client_id_and_secret() {
    let fields = body_fields(Protocol::Nango, &outgoing());
    assert_eq!(
        fields,
        vec![
            ("client_id", "38a6702a-fb0c-4495-976f-5e260e080751"),
            ("client_secret", SECRET)
        ]
    );
}

#[test]
fn endpoint_headers_carry_bearer_token_and_idempotency_key() {
    let headers = request_headers(Protocol::Endpoint, "tok-1", "key-1");
    let get = |name: &str| {
        headers
            .iter()
            .find(|(header, _)| *header == name)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(get("Content-Type"), Some("application/json"));
    assert_eq!(get("Authorization"), Some("Bearer tok-1"));
    assert_eq!(get("Idempotency-Key"), Some("key-1"));
}

#[test]
fn nango_headers_are_what_nangos_own_sdk_sends() {
    let headers = request_headers(Protocol::Nango, "tok-1", "key-1");
    assert!(headers
        .iter()
        .all(|(name, _)| *name == "Content-Type" || *name == "Accept"));
    assert!(headers.iter().all(|(_, value)| !value.contains("tok-1")));
}

#[test]
fn nango_url_matches_the_documented_shape_and_encodes_values() {
    let url = nango_url(
        "https://nango.example.com//",
        "microsoft-oauth2-cc",
        "nango_connect_session_abc",
        "contoso.onmicrosoft.com",
        "https://graph.microsoft.com/.default",
    );
    assert_eq!(
        url,
        "https://nango.example.com/oauth2/auth/microsoft-oauth2-cc?connect_session_token=nango_connect_session_abc&params[tenantId]=contoso.onmicrosoft.com&params[oauth_scopes]=https%3A%2F%2Fgraph.microsoft.com%2F.default"
    );
}

#[test]
fn nango_url_cannot_be_broken_out_of_by_a_hostile_key_or_token() {
    let url = nango_url("http://127.0.0.1:3003", "a/b?c=d", "t&x=y#z", "x y", "é");
    assert!(url.starts_with("http://127.0.0.1:3003/oauth2/auth/a%2Fb%3Fc%3Dd?"));
    assert!(url.contains("connect_session_token=t%26x%3Dy%23z&"));
    assert!(url.contains("params[tenantId]=x%20y&"));
    assert!(url.ends_with("params[oauth_scopes]=%C3%A9"));
}

#[test]
fn relative_and_same_origin_endpoints_are_not_cross_origin() {
    let page = "https://app.example.com";
    assert!(!is_cross_origin("/api/entra/connections", page));
    assert!(!is_cross_origin("api/connections", page));
    assert!(!is_cross_origin("https://APP.example.com/api", page));
    assert!(!is_cross_origin("https://app.example.com:443/api", page));
    assert!(!is_cross_origin("//app.example.com/api", page));
    assert!(!is_cross_origin(
        "http://127.0.0.1:8080/x?y",
        "http://127.0.0.1:8080"
    ));
}

#[test]
fn other_host_port_or_scheme_is_cross_origin() {
    let page = "http://127.0.0.1:8080";
    assert!(is_cross_origin("http://127.0.0.1:9090/api", page));
    assert!(is_cross_origin("http://localhost:8080/api", page));
    assert!(is_cross_origin("https://127.0.0.1:8080/api", page));
    assert!(is_cross_origin("//api.example.com/x", page));
    assert!(is_cross_origin(
        "http://[::1]:8080/api",
        "http://[::1]:9000"
    ));
    assert!(!is_cross_origin(
        "http://[::1]:8080/api",
        "http://[::1]:8080"
    ));
}

// ---------------------------------------------------------------- success (§6.2)

#[test]
fn success_statuses_are_200_and_201_only() {
    assert!(is_success(200));
    assert!(is_success(201));
    for status in [202, 204, 301, 400, 500] {
        assert!(!is_success(status), "{status}");
    }
}

#[test]
fn success_body_becomes_the_connection_with_resolved_tenant() {
    let fields = SuccessFields {
        connection_id: Some("conn_1".into()),
        tenant_id: Some("fc659cb7-0c66-4e32-9f96-c35c869581b6".into()),
        client_id: Some("38a6702a-fb0c-4495-976f-5e260e080751".into()),
        cloud: Some("global".into()),
        scope: Some("https://graph.microsoft.com/.default".into()),
        granted_permissions: Some(vec!["User.Read.All".into(), "".into(), "Mail.Read".into()]),
    };
    let connection = parse_success(Protocol::Endpoint, 201, Some(fields), &outgoing()).unwrap();
    assert_eq!(connection.connection_id, "conn_1");
    assert_eq!(connection.tenant_id, "fc659cb7-0c66-4e32-9f96-c35c869581b6");
    assert_eq!(
        connection.granted_permissions,
        ["User.Read.All", "Mail.Read"]
    );
}

#[test]
fn missing_success_members_fall_back_to_what_was_sent() {
    let fields = SuccessFields {
        connection_id: Some("nango-conn".into()),
        ..SuccessFields::default()
    };
    let connection = parse_success(Protocol::Nango, 200, Some(fields), &outgoing()).unwrap();
    assert_eq!(connection.tenant_id, "contoso.onmicrosoft.com");
    assert_eq!(connection.client_id, "38a6702a-fb0c-4495-976f-5e260e080751");
    assert_eq!(connection.cloud, "global");
    assert_eq!(connection.scope, "https://graph.microsoft.com/.default");
    assert!(connection.granted_permissions.is_empty());
}

#[test]
fn success_without_connection_id_is_a_server_error() {
    let failure = parse_success(
        Protocol::Endpoint,
        200,
        Some(SuccessFields::default()),
        &outgoing(),
    )
    .unwrap_err();
    assert_eq!(failure.code, ErrorCode::Server);
    assert_eq!(failure.status, Some(200));
    assert!(failure.message.contains("connection_id"));

    let huge = SuccessFields {
        connection_id: Some("x".repeat(10_000)),
        ..SuccessFields::default()
    };
    assert!(parse_success(Protocol::Endpoint, 200, Some(huge), &outgoing()).is_err());
}

#[test]
fn success_status_with_non_json_body_is_a_server_error_naming_the_status() {
    let failure = parse_success(Protocol::Endpoint, 201, None, &outgoing()).unwrap_err();
    assert_eq!(failure.code, ErrorCode::Server);
    assert!(failure.message.contains("HTTP 201"), "{}", failure.message);
}

// ---------------------------------------------------------------- failure (§6.3)

#[test]
fn validation_failed_with_field_lands_on_that_field() {
    let verdict = classify_response(
        Protocol::Endpoint,
        422,
        error_body("validation_failed", Some("client_secret")),
        None,
    );
    assert_eq!(verdict.next, Next::Fail);
    assert_eq!(verdict.failure.code, ErrorCode::Server);
    assert_eq!(verdict.failure.field, Some(Field::ClientSecret));
    assert_eq!(verdict.failure.status, Some(422));
    assert_eq!(
        verdict.failure.server_code.as_deref(),
        Some("validation_failed")
    );
    assert_eq!(verdict.failure.message, "Server says no.");
}

#[test]
fn field_may_be_spelled_the_javascript_way() {
    let verdict = classify_response(
        Protocol::Endpoint,
        422,
        error_body("validation_failed", Some("tenantId")),
        None,
    );
    assert_eq!(verdict.failure.field, Some(Field::TenantId));
}

#[test]
fn error_without_field_goes_to_the_alert() {
    let verdict = classify_response(
        Protocol::Endpoint,
        400,
        error_body("bad_request", None),
        None,
    );
    assert_eq!(verdict.next, Next::Fail);
    assert_eq!(verdict.failure.field, None);
    assert_eq!(verdict.failure.code, ErrorCode::Server);
}

#[test]
fn unknown_field_name_goes_to_the_alert() {
    let verdict = classify_response(
        Protocol::Endpoint,
        422,
        error_body("validation_failed", Some("password")),
        None,
    );
    assert_eq!(verdict.failure.field, None);
}

#[test]
fn contract_codes_name_their_field_without_an_explicit_field() {
    for (code, field) in [
        ("tenant_not_found", Field::TenantId),
        ("app_not_found", Field::ClientId),
        ("invalid_secret", Field::ClientSecret),
        ("secret_expired", Field::ClientSecret),
        ("invalid_scope", Field::Scope),
    ] {
        let verdict = classify_response(Protocol::Endpoint, 400, error_body(code, None), None);
        assert_eq!(verdict.failure.field, Some(field), "{code}");
        assert_eq!(verdict.next, Next::Fail, "{code}");
    }
}

#[test]
fn unauthorized_asks_for_a_fresh_session_and_reports_session_expired() {
    let verdict = classify_response(
        Protocol::Endpoint,
        401,
        error_body("invalid_session", None),
        None,
    );
    assert_eq!(verdict.next, Next::RefreshSession);
    assert_eq!(verdict.failure.code, ErrorCode::SessionExpired);
    assert_eq!(verdict.failure.status, Some(401));

    let bare = classify_response(Protocol::Endpoint, 401, Body::Empty, None);
    assert_eq!(bare.next, Next::RefreshSession);
    assert_eq!(bare.failure.code, ErrorCode::SessionExpired);
    assert!(bare.failure.message.contains("401"));
}

#[test]
fn throttling_and_gateway_errors_are_retried_and_nothing_else() {
    for status in [429, 502, 503, 504] {
        let verdict = classify_response(Protocol::Endpoint, status, Body::Empty, Some(2));
        assert_eq!(verdict.next, Next::Retry, "{status}");
        assert_eq!(verdict.failure.code, ErrorCode::Server);
        assert_eq!(verdict.failure.retry_after, Some(2));
    }
    for status in [400, 403, 404, 409, 422, 500, 501, 505, 302, 204] {
        let verdict = classify_response(Protocol::Endpoint, status, Body::Empty, None);
        assert_eq!(verdict.next, Next::Fail, "{status}");
    }
}

#[test]
fn html_error_page_is_a_clear_server_error_with_the_status() {
    let verdict = classify_response(Protocol::Endpoint, 500, Body::Unrecognized, None);
    assert_eq!(verdict.next, Next::Fail);
    assert_eq!(verdict.failure.code, ErrorCode::Server);
    assert_eq!(verdict.failure.status, Some(500));
    assert!(verdict.failure.message.contains("HTTP 500"));
    assert!(verdict.failure.message.contains("not the JSON error"));
}

#[test]
fn empty_and_enormous_bodies_say_so() {
    let empty = classify_response(Protocol::Endpoint, 502, Body::Empty, None);
    assert!(empty
        .failure
        .message
        .contains("HTTP 502 with an empty body"));
    let large = classify_response(Protocol::Endpoint, 500, Body::TooLarge, None);
    assert!(large.failure.message.contains("larger than 64 KB"));
}

#[test]
fn long_server_messages_are_cut_on_a_character_boundary() {
    let body = Body::Error(ErrorFields {
        code: Some("x".into()),
        message: Some("é".repeat(2000)),
        ..ErrorFields::default()
    });
    let verdict = classify_response(Protocol::Endpoint, 400, body, None);
    assert!(verdict.failure.message.len() <= 520);
    assert!(verdict.failure.message.ends_with('…'));
}

#[test]
fn details_are_kept_when_small_and_dropped_when_huge() {
    let small = Body::Error(ErrorFields {
        code: Some("invalid_secret".into()),
        details: Some(r#"{"aadsts":7000215}"#.into()),
        ..ErrorFields::default()
    });
    let verdict = classify_response(Protocol::Endpoint, 400, small, None);
    assert_eq!(
        verdict.failure.details.as_deref(),
        Some(r#"{"aadsts":7000215}"#)
    );
    let huge = Body::Error(ErrorFields {
        code: Some("invalid_secret".into()),
        details: Some("1".repeat(100_000)),
        ..ErrorFields::default()
    });
    assert_eq!(
        classify_response(Protocol::Endpoint, 400, huge, None)
            .failure
            .details,
        None
    );
}

#[test]
fn network_failure_is_retried_and_hints_at_cors_only_across_origins() {
    let same = classify_network_error(Protocol::Endpoint, false);
    assert_eq!(same.next, Next::Retry);
    assert_eq!(same.failure.code, ErrorCode::Network);
    assert!(!same.failure.message.contains("CORS"));
    let cross = classify_network_error(Protocol::Endpoint, true);
    assert!(cross.failure.message.contains("CORS"));
    assert!(cross.failure.message.contains("Idempotency-Key"));
}

// ---------------------------------------------------------------- Nango (§6.4)

#[test]
fn nango_client_credentials_fetch_error_says_the_identity_platform_refused() {
    let verdict = classify_response(
        Protocol::Nango,
        400,
        error_body("client_credentials_fetch_error", None),
        None,
    );
    assert_eq!(verdict.next, Next::Fail);
    assert_eq!(verdict.failure.code, ErrorCode::Server);
    assert_eq!(verdict.failure.field, None);
    assert!(verdict
        .failure
        .message
        .contains("identity platform refused the credentials"));
    assert_eq!(
        verdict.failure.server_code.as_deref(),
        Some("client_credentials_fetch_error")
    );
}

#[test]
fn nango_codes_name_their_fields() {
    for (code, field) in [
        ("missing_client_secret", Field::ClientSecret),
        ("missing_client_id", Field::ClientId),
        ("invalid_client_id", Field::ClientId),
        ("invalid_oauth_scopes", Field::Scope),
        ("missing_connection_config_param", Field::TenantId),
    ] {
        assert_eq!(nango_field(code), Some(field), "{code}");
        let verdict = classify_response(Protocol::Nango, 400, error_body(code, None), None);
        assert_eq!(verdict.failure.field, Some(field), "{code}");
    }
    assert_eq!(nango_field("unknown_provider_config"), None);
}

#[test]
fn nango_unknown_session_token_has_session_expired_semantics() {
    for status in [401, 400] {
        let verdict = classify_response(
            Protocol::Nango,
            status,
            error_body("unknown_connect_session_token", None),
            None,
        );
        assert_eq!(verdict.next, Next::RefreshSession);
        assert_eq!(verdict.failure.code, ErrorCode::SessionExpired);
    }
}

#[test]
fn nango_never_resends_when_the_first_request_may_have_been_processed() {
    // No idempotency keys in Nango: a reset or gateway timeout may hide a created connection.
    assert_eq!(
        classify_network_error(Protocol::Nango, false).next,
        Next::Fail
    );
    for status in [502, 504] {
        assert_eq!(
            classify_response(Protocol::Nango, status, Body::Empty, None).next,
            Next::Fail
        );
    }
    for status in [429, 503] {
        assert_eq!(
            classify_response(Protocol::Nango, status, Body::Empty, None).next,
            Next::Retry
        );
    }
}

// ---------------------------------------------------------------- backoff

#[test]
fn backoff_doubles_from_half_a_second_with_equal_jitter() {
    // jitter 0 → half the step; jitter → 1 → nearly the full step.
    assert_eq!(
        retry_delay_ms(1, 0.0, None, 30_000),
        Some(BASE_DELAY_MS / 2)
    );
    assert_eq!(retry_delay_ms(2, 0.0, None, 30_000), Some(BASE_DELAY_MS));
    assert_eq!(
        retry_delay_ms(3, 0.0, None, 30_000),
        Some(BASE_DELAY_MS * 2)
    );
    assert_eq!(retry_delay_ms(1, 0.999_999, None, 30_000), Some(499));
    assert_eq!(retry_delay_ms(3, 0.5, None, 30_000), Some(1500));
}

#[test]
fn no_retry_after_the_last_attempt() {
    assert_eq!(retry_delay_ms(MAX_ATTEMPTS, 0.0, None, 30_000), None);
    assert_eq!(retry_delay_ms(0, 0.0, None, 30_000), None);
}

#[test]
fn retry_after_is_honoured_as_a_minimum() {
    assert_eq!(retry_delay_ms(1, 0.0, Some(1000), 30_000), Some(1000));
    assert_eq!(retry_delay_ms(3, 0.0, Some(100), 30_000), Some(1000));
    // Longer than the backoff cap is fine while it fits in the budget.
    assert_eq!(retry_delay_ms(1, 0.0, Some(20_000), 30_000), Some(20_000));
}

#[test]
fn a_wait_that_would_not_fit_in_the_budget_stops_the_retries() {
    assert_eq!(retry_delay_ms(1, 0.0, Some(31_000), 30_000), None);
    assert_eq!(retry_delay_ms(3, 0.0, None, 999), None);
    assert_eq!(retry_delay_ms(3, 0.0, None, 1000), Some(1000));
}

#[test]
fn bad_jitter_values_do_not_break_the_policy() {
    assert_eq!(retry_delay_ms(1, f64::NAN, None, 30_000), Some(250));
    assert_eq!(retry_delay_ms(1, -3.0, None, 30_000), Some(250));
    assert_eq!(retry_delay_ms(1, 7.0, None, 30_000), Some(500));
}

proptest! {
    #[test]
    fn backoff_is_bounded_and_fits_the_budget(
        attempt in 1u32..MAX_ATTEMPTS,
        jitter in 0.0f64..1.0,
        retry_after in proptest::option::of(0u64..100_000),
        remaining in 0u64..60_000,
    ) {
        if let Some(delay) = retry_delay_ms(attempt, jitter, retry_after, remaining) {
            let delay = u64::from(delay);
            prop_assert!(delay <= remaining);
            prop_assert!(delay >= u64::from(BASE_DELAY_MS / 2), "never a fast retry");
            prop_assert!(delay >= retry_after.unwrap_or(0));
            if retry_after.is_none() {
                prop_assert!(delay <= u64::from(MAX_DELAY_MS));
            }
        }
    }

    #[test]
    fn retry_after_parsing_never_panics(text in ".{0,64}", now in 0u64..u64::MAX / 2) {
        let _ = parse_retry_after(&text, now);
    }
}

// ---------------------------------------------------------------- Retry-After

#[test]
fn retry_after_delta_seconds() {
    assert_eq!(parse_retry_after("1", 0), Some(1000));
    assert_eq!(parse_retry_after(" 120 ", 5), Some(120_000));
    assert_eq!(parse_retry_after("0", 0), Some(0));
    assert_eq!(
        parse_retry_after("99999999999999999999999", 0),
        Some(u64::MAX)
    );
}

#[test]
fn retry_after_http_date_is_measured_from_now() {
    // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s since the epoch (RFC 9110's example).
    let at = 784_111_777_000;
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at - 2500),
        Some(2500)
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + 10_000),
        Some(0)
    );
    // 2000-02-29 (a leap day) 00:00:00 = 951782400.
    assert_eq!(
        parse_retry_after("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400_000 - 1000),
        Some(1000)
    );
    // 2038-01-19 03:14:08 = 2^31: past 32-bit time.
    assert_eq!(
        parse_retry_after("Tue, 19 Jan 2038 03:14:08 GMT", 2_147_483_648_000),
        Some(0)
    );
    assert_eq!(
        parse_retry_after("Tue, 19 Jan 2038 03:14:09 GMT", 2_147_483_648_000),
        Some(1000)
    );
}

#[test]
fn malformed_retry_after_is_ignored() {
    for text in [
        "",
        "-1",
        "1.5",
        "soon",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
    ] {
        assert_eq!(parse_retry_after(text, 0), None, "{text:?}");
    }
}

#[test]
fn retry_after_seconds_for_the_host_round_up() {
    assert_eq!(ms_to_secs_ceil(0), 0);
    assert_eq!(ms_to_secs_ceil(1), 1);
    assert_eq!(ms_to_secs_ceil(1000), 1);
    assert_eq!(ms_to_secs_ceil(1001), 2);
}

#[test]
fn decimal_writes_numbers_without_format() {
    assert_eq!(decimal(0), "0");
    assert_eq!(decimal(429), "429");
    assert_eq!(decimal(u64::MAX), "18446744073709551615");
}

#[test]
fn redirects_are_server_failures_that_explain_why_they_are_not_followed() {
    let failure = entra_connect::protocol::redirect_failure(Protocol::Endpoint);
    assert_eq!(failure.code, ErrorCode::Server);
    assert!(failure.message.contains("redirect"));
}

#[test]
fn fallback_idempotency_key_is_a_version_4_uuid() {
    let uuid = entra_connect::protocol::uuid_v4_from_bytes([0xff; 16]);
    assert_eq!(uuid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    let uuid = entra_connect::protocol::uuid_v4_from_bytes([0; 16]);
    assert_eq!(uuid, "00000000-0000-4000-8000-000000000000");
}

#[test]
fn credential_expiry_reads_a_date_or_an_instant() {
    use entra_connect::protocol::http_date::parse_expiry;
    // A date is the end of that day, UTC.
    assert_eq!(parse_expiry("2026-05-12"), Some(1_778_630_399));
    assert_eq!(parse_expiry("2026-05-12T08:30:00Z"), Some(1_778_574_600));
    assert_eq!(parse_expiry("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_expiry("2028-02-29"), Some(1_835_481_599));
    for bad in [
        "",
        "2026-5-12",
        "2026-13-01",
        "2027-02-29",
        "2026-04-31",
        "2026-05-00",
        "1969-12-31",
        "2026-05-12T08:30:00",
        "2026-05-12T24:00:00Z",
        "2026-05-12T08:30Z",
        "2026-05-12T08:30:00+02:00",
        "12/05/2026",
        "2026-05-12-01",
        "٢٠٢٦-05-12",
    ] {
        assert_eq!(parse_expiry(bad), None, "{bad}");
    }
}
