//! Lints beyond what loading needs: compliance, routes that never apply, prices past deprecation.
//!
//! Loading already rejects what the engine cannot price (unknown models, unrouted workloads,
//! promotions that end before they start, …). These checks find what prices fine but is wrong
//! by the file's own rules, each as a [`Diagnostic`] pointing at the offending line.

use super::diagnostic::Diagnostic;
use super::source::SourceFile;
use super::values::show_instant;
use crate::engine::compliance;
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

/// Whether a YAML file is a price file (a top-level `provider:` key) rather than a scenario.
pub fn is_price_file(source: &SourceFile) -> bool {
    source
        .text
        .lines()
        .any(|line| line.starts_with("provider:") || line.starts_with("models:"))
}

/// Price sets that take effect after their model's deprecation date, in the files given.
pub fn deprecated_prices(catalogue: &Catalogue, sources: &[SourceFile]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for model in catalogue.models.values() {
        let Some(deprecated) = model.deprecated else {
            continue;
        };
        let Some(source) = sources.iter().find(|s| s.name == model.origin.file) else {
            continue;
        };
        for set in &model.prices {
            if set.from > deprecated {
                found.push(
                    Diagnostic::error(
                        &source.name,
                        format!(
                            "model '{}' has prices from {}, after its deprecation on {}",
                            model.id,
                            show_instant(set.from),
                            show_instant(deprecated)
                        ),
                    )
                    .at(
                        &source.text,
                        model.origin.position,
                        model.id.chars().count(),
                    )
                    .with_help(
                        "remove the price set, or move `deprecated` to when the model really stops",
                    ),
                );
            }
        }
    }
    found
}

/// Compliance violations and routes shadowed by earlier ones, for a loaded scenario.
pub fn scenario_findings(
    scenario: &Scenario,
    catalogue: &Catalogue,
    source: &SourceFile,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for violation in compliance::violations(scenario, catalogue) {
        found.push(
            Diagnostic::error(&source.name, violation.message())
                .at(&source.text, violation.route.position, 1)
                .with_help(violation.help()),
        );
    }
    for policy in &scenario.policies {
        for (index, route) in policy.routes.iter().enumerate() {
            let matched: Vec<_> = scenario
                .workloads
                .iter()
                .filter(|w| route.matcher.matches(w))
                .collect();
            if matched.is_empty() {
                continue; // the loader already warns about routes that match nothing
            }
            let shadowed = matched.iter().all(|workload| {
                policy.routes[..index]
                    .iter()
                    .any(|earlier| earlier.matcher.matches(workload))
            });
            if shadowed {
                found.push(
                    Diagnostic::warning(
                        &source.name,
                        format!(
                            "route {} of policy '{}' never applies: earlier routes take every workload it matches",
                            index + 1,
                            policy.name
                        ),
                    )
                    .at(&source.text, route.origin.position, 1)
                    .with_help("remove the route, or move it above the routes that take its workloads"),
                );
            }
        }
    }
    found
}
