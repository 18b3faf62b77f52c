//! Decimal text of integers without the formatting machinery, which is heavy in wasm.

/// Decimal text of `n`, without the formatting machinery (it is heavy in wasm).
pub fn decimal(mut n: u64) -> String {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits
        .get(start..)
        .and_then(|ascii| String::from_utf8(ascii.to_vec()).ok())
        .unwrap_or_default()
}
