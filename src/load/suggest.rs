//! "Did you mean …?" hints for misspelt names.

/// The candidate closest to `wanted` by edit distance, if it is close enough to be a typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| {
            let lower = candidate.to_lowercase();
            let distance = strsim::damerau_levenshtein(&wanted_lower, &lower);
            let similarity = strsim::jaro_winkler(&wanted_lower, &lower);
            (distance, similarity, candidate)
        })
        .filter(|(distance, _, _)| *distance <= limit)
        .min_by(|left, right| {
            left.0
                .cmp(&right.0)
                .then_with(|| right.1.total_cmp(&left.1))
                .then_with(|| left.2.cmp(right.2))
        })
        .map(|(_, _, candidate)| candidate)
}

/// Like [`nearest`] for YAML keys: `ouput` is close to `output_tokens` because it is close to
/// the key's first word.
pub fn nearest_key<'a>(wanted: &str, keys: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let keys: Vec<&str> = keys.into_iter().collect();
    nearest(wanted, keys.iter().copied()).or_else(|| {
        let first_words = keys.iter().map(|key| key.split('_').next().unwrap_or(key));
        let word = nearest(wanted, first_words)?;
        keys.iter()
            .copied()
            .find(|key| key.split('_').next() == Some(word))
    })
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
        assert_eq!(
            nearest("ouput", ["input", "output", "name"]),
            Some("output")
        );
        assert_eq!(
            super::nearest_key("ouput", ["input_tokens", "output_tokens", "name"]),
            Some("output_tokens")
        );
    }
}
