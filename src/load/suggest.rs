//! "Did you mean …?" hints for misspelt names.

/// The candidate closest to `wanted`, if any is close enough to be a likely typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&wanted_lower, &candidate.to_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|(left, left_name), (right, right_name)| {
            left.total_cmp(right)
                .then_with(|| right_name.cmp(left_name))
        })
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn suggests_the_closest_name() {
        let models = ["gpt-5.5", "gpt-5", "deepseek-v4-flash", "deepseek-v4-pro"];
        assert_eq!(nearest("gpt-5.6", models), Some("gpt-5.5"));
        assert_eq!(
            nearest("deepseek-v4-flsh", models),
            Some("deepseek-v4-flash")
        );
        assert_eq!(nearest("llama", models), None);
    }
}
