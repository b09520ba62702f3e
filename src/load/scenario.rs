//! Scenario files (`scenarios/*.yaml`): their YAML shape and validation against a catalogue.
//!
//! Validation checks everything the engine relies on, and reports every problem it finds:
//! unknown models (with the nearest known name), human reviewers named where a model goes,
//! models with no price on `as_of`, empty and duplicate names, workloads a policy leaves
//! unrouted, routes that match nothing (a warning) or everything (`match: {}`, an error: that is
//! what `default:` says), a baseline that names no policy, discounts for unknown providers, and
//! every malformed value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::checker::Checker;
use super::diagnostic::{Diagnostic, LoadError, Position};
use super::quality::{self, PolicyQuality, RawQuality, RawUncertainty, RawValidator, RouteQuality};
use super::rules::{self, OneOrMany, RawBudgets, RawConstraints};
use super::source::SourceFile;
use super::suggest::nearest;
use super::values;
use super::yaml::{self, Located};
use crate::model::catalogue::{Catalogue, Origin};
use crate::model::scenario::{
    DataClass, Match, Policy, PriceMode, RequestShape, Route, Scenario, ServiceTier, Target,
    Workload,
};

/// The reference scenario, embedded so `mixcost compare` works from any folder.
pub const SEED_NAME: &str = "scenarios/seed.yaml";
pub const SEED: &str = include_str!("../../scenarios/seed.yaml");

/// The shipped example scenarios, embedded so an installed binary can write them out
/// (`mixcost init`); file name and text, the seed first.
pub const SHIPPED: &[(&str, &str)] = &[
    ("seed.yaml", SEED),
    (
        "support-desk.yaml",
        include_str!("../../scenarios/support-desk.yaml"),
    ),
    (
        "document-pipeline.yaml",
        include_str!("../../scenarios/document-pipeline.yaml"),
    ),
    (
        "multi-vendor.yaml",
        include_str!("../../scenarios/multi-vendor.yaml"),
    ),
    (
        "cascade-loses.yaml",
        include_str!("../../scenarios/cascade-loses.yaml"),
    ),
    (
        "cascade-wins.yaml",
        include_str!("../../scenarios/cascade-wins.yaml"),
    ),
    (
        "correlated-failures.yaml",
        include_str!("../../scenarios/correlated-failures.yaml"),
    ),
];

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Located<String>,
    description: Option<String>,
    as_of: Located<String>,
    period: Option<Located<String>>,
    workloads: Vec<Located<RawWorkload>>,
    policies: Vec<Located<RawPolicy>>,
    baseline: Located<String>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, super::schema::Scalar>")]
    discounts: BTreeMap<Located<String>, Located<String>>,
    /// Compliance rules per data class (see README, "Compliance rules").
    #[serde(default)]
    constraints: RawConstraints,
    /// Monthly budgets per policy and per workload, checked by `mixcost check`.
    budgets: Option<RawBudgets>,
    quality: Option<Located<RawQuality>>,
    uncertainty: Option<RawUncertainty>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    name: Located<String>,
    task: Option<String>,
    /// Free text for the reader of the file; not used in pricing.
    #[serde(rename = "note")]
    _note: Option<String>,
    input_tokens: Option<Located<String>>,
    output_tokens: Option<Located<String>>,
    requests: Option<Located<String>>,
    input_tokens_per_request: Option<Located<String>>,
    output_tokens_per_request: Option<Located<String>>,
    cache_hit_rate: Option<Located<String>>,
    cache_write_rate: Option<Located<String>>,
    batch_share: Option<Located<String>>,
    off_peak_share: Option<Located<String>>,
    tier: Option<ServiceTier>,
    data_class: Option<DataClass>,
    regional_processing: Option<bool>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    name: Located<String>,
    description: Option<String>,
    #[serde(default)]
    routes: Vec<Located<RawRoute>>,
    #[schemars(with = "Option<super::schema::TargetSchema>")]
    default: Option<Located<RawTarget>>,
    /// The workloads whose output a human reviews under this policy, e.g.
    /// `{data_class: [regulated]}`; `{}` for all.
    human_review: Option<RawMatch>,
    /// `exempt`: a hypothetical policy, priced for comparison only, that the scenario's
    /// `constraints:` do not apply to (`validate` and `check` skip its compliance); `enforced`
    /// is the default.
    compliance: Option<ComplianceMode>,
}

/// Whether a policy answers to the scenario's `constraints:`.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum ComplianceMode {
    Enforced,
    Exempt,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    #[serde(rename = "match")]
    matcher: Located<RawMatch>,
    model: Located<String>,
    tier: Option<ServiceTier>,
    prices: Option<PriceMode>,
    fallback: Option<Located<Vec<Located<String>>>>,
    validator: Option<RawValidator>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[schemars(with = "Option<OneOrMany<String>>")]
    workload: Option<Located<Names>>,
    #[schemars(with = "Option<OneOrMany<String>>")]
    task: Option<Located<Names>>,
    data_class: Option<Vec<DataClass>>,
}

/// One name or a list of names (`workload: a` or `workload: [a, b]`).
struct Names(Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;

        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Names, E> {
                Ok(Names(vec![text.to_string()]))
            }

            // A workload may be named `2026` or `true` (names are read as written), so
            // `workload: 2026` matches it rather than failing as "invalid type: integer".
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Names, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Names, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Names, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Names, S::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(Names(names))
            }
        }

        deserializer.deserialize_any(NamesVisitor)
    }
}

/// A policy default: a model name, or `{model, tier, prices}`.
struct RawTarget {
    model: String,
    tier: Option<ServiceTier>,
    prices: Option<PriceMode>,
    fallback: Option<Located<Vec<Located<String>>>>,
    validator: Option<RawValidator>,
}

impl<'de> Deserialize<'de> for RawTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            model: String,
            tier: Option<ServiceTier>,
            prices: Option<PriceMode>,
            fallback: Option<Located<Vec<Located<String>>>>,
            validator: Option<RawValidator>,
        }

        struct TargetVisitor;

        impl<'de> Visitor<'de> for TargetVisitor {
            type Value = RawTarget;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a model name, or {model: …, tier: …, prices: list|effective}")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<RawTarget, E> {
                Ok(RawTarget {
                    model: text.to_string(),
                    tier: None,
                    prices: None,
                    fallback: None,
                    validator: None,
                })
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<RawTarget, M::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawTarget {
                    model: full.model,
                    tier: full.tier,
                    prices: full.prices,
                    fallback: full.fallback,
                    validator: full.validator,
                })
            }
        }

        deserializer.deserialize_any(TargetVisitor)
    }
}

/// Reads and validates a scenario file against `catalogue`.
pub fn load_scenario(
    source: &SourceFile,
    catalogue: &Catalogue,
) -> Result<(Scenario, Vec<Diagnostic>), LoadError> {
    let raw: RawScenario = yaml::parse(source)?;
    let mut checker = Checker::new(source);
    let scenario = check_scenario(&mut checker, &raw, catalogue);
    checker.finish(scenario)
}

/// The JSON Schema of a scenario file, for editors.
pub fn json_schema() -> schemars::Schema {
    super::schema::titled(schemars::schema_for!(RawScenario), "mixcost scenario")
}

/// The embedded seed scenario.
pub fn seed_source() -> SourceFile {
    SourceFile::new(SEED_NAME, SEED)
}

fn check_scenario(
    checker: &mut Checker,
    raw: &RawScenario,
    catalogue: &Catalogue,
) -> Option<Scenario> {
    if raw.name.value.trim().is_empty() {
        checker.error_at(
            raw.name.position,
            1,
            "`name` is empty",
            "give the scenario a name",
        );
    }
    let as_of = checker.parse("as_of", &raw.as_of, values::instant);
    if let Some(period) = &raw.period {
        if period.value != "month" {
            checker.error_at(
                period.position,
                period.value.len(),
                format!("unsupported period '{}'", period.value),
                "volumes are per month: write `period: month` or leave it out",
            );
        }
    }
    if raw.workloads.is_empty() {
        checker.error_at(
            raw.name.position,
            1,
            "the scenario has no workloads",
            "add at least one workload under `workloads:`",
        );
    }
    for workload in &raw.workloads {
        check_named(checker, "workload", &workload.value.name);
    }
    for policy in &raw.policies {
        check_named(checker, "policy", &policy.value.name);
    }
    let workloads: Vec<Option<Workload>> = raw
        .workloads
        .iter()
        .map(|workload| check_workload(checker, workload))
        .collect();
    check_unique(
        checker,
        ("workload", "workloads"),
        raw.workloads.iter().map(|w| &w.value.name),
    );
    check_unique(
        checker,
        ("policy", "policies"),
        raw.policies.iter().map(|p| &p.value.name),
    );
    let workloads: Option<Vec<Workload>> = workloads.into_iter().collect();
    let workloads = workloads.unwrap_or_default();

    if raw.policies.is_empty() {
        checker.error_at(
            raw.name.position,
            1,
            "the scenario has no policies",
            "add at least one policy under `policies:`, e.g. `- {name: all-gpt-5.5, default: gpt-5.5}`",
        );
    }
    let mut policies = Vec::new();
    for policy in &raw.policies {
        policies.push(check_policy(checker, policy, &workloads, catalogue, as_of));
    }
    let policies: Option<Vec<Policy>> = policies.into_iter().collect();

    let policy_names: Vec<&str> = raw
        .policies
        .iter()
        .map(|p| p.value.name.value.as_str())
        .collect();
    if !policy_names.contains(&raw.baseline.value.as_str()) {
        let help = match nearest(&raw.baseline.value, policy_names.iter().copied()) {
            Some(name) => format!("did you mean '{name}'?"),
            None => format!("name one of the policies: {}", policy_names.join(", ")),
        };
        checker.error_at(
            raw.baseline.position,
            raw.baseline.value.chars().count(),
            format!("baseline '{}' names no policy", raw.baseline.value),
            help,
        );
    }

    let mut discounts = BTreeMap::new();
    for (provider, value) in &raw.discounts {
        if !catalogue.providers.contains_key(&provider.value) {
            let help = catalogue.unknown_provider_help(&provider.value);
            checker.error_at(
                provider.position,
                provider.value.chars().count(),
                format!("discount for unknown provider '{}'", provider.value),
                help,
            );
        }
        if let Some(share) = checker.parse("discounts", value, values::share) {
            discounts.insert(provider.value.clone(), share);
        }
    }

    let constraints = rules::check_constraints(checker, &raw.constraints, catalogue);
    let budgets = match &raw.budgets {
        Some(budgets) => {
            let workload_names: Vec<&str> = raw
                .workloads
                .iter()
                .map(|w| w.value.name.value.trim())
                .collect();
            let totals_only = raw
                .workloads
                .iter()
                .find(|w| w.value.requests.is_none())
                .map(|w| w.value.name.value.trim());
            rules::check_budgets(
                checker,
                budgets,
                &policy_names,
                &workload_names,
                totals_only,
            )
        }
        None => Some(Default::default()),
    };
    let quality = match &policies {
        Some(policies) => quality::check_quality(
            checker,
            raw.quality.as_ref(),
            &policy_quality(raw),
            policies,
            &workloads,
            catalogue,
            as_of,
        ),
        None => None,
    };
    let uncertainty = quality::check_uncertainty(checker, raw.uncertainty.as_ref(), &workloads);

    Some(Scenario {
        name: raw.name.value.trim().to_string(),
        description: raw.description.clone(),
        file: checker.source.name.clone(),
        as_of: as_of?,
        workloads,
        policies: policies?,
        baseline: raw.baseline.value.clone(),
        discounts,
        constraints,
        budgets: budgets?,
        quality: quality?,
        uncertainty: uncertainty?,
    })
}

/// The quality keys (`fallback`, `validator`) of every route and default, for the quality check.
fn policy_quality(raw: &RawScenario) -> Vec<PolicyQuality<'_>> {
    raw.policies
        .iter()
        .map(|policy| PolicyQuality {
            routes: policy
                .value
                .routes
                .iter()
                .map(|route| RouteQuality {
                    fallback: route.value.fallback.as_ref(),
                    validator: route.value.validator.as_ref(),
                    position: route.position,
                })
                .collect(),
            default: policy.value.default.as_ref().map(|target| RouteQuality {
                fallback: target.value.fallback.as_ref(),
                validator: target.value.validator.as_ref(),
                position: target.position,
            }),
        })
        .collect()
}

/// Reports an empty or blank name: it cannot be routed, budgeted or shown in a report.
fn check_named(checker: &mut Checker, kind: &str, name: &Located<String>) {
    if !name.value.trim().is_empty() {
        return;
    }
    checker.error_at(
        name.position,
        name.value.chars().count().max(1),
        format!("a {kind} has an empty name"),
        format!("give the {kind} a name that routes, budgets and reports can refer to"),
    );
}

/// Reports each name used a second time (names are compared trimmed, as they are used);
/// `kind` is the singular and plural noun.
fn check_unique<'a>(
    checker: &mut Checker,
    (kind, kinds): (&str, &str),
    names: impl Iterator<Item = &'a Located<String>>,
) {
    let mut seen: BTreeMap<&str, Position> = BTreeMap::new();
    for name in names {
        let trimmed = name.value.trim();
        if let Some(first) = seen.get(trimmed) {
            checker.error_at(
                name.position,
                name.value.chars().count(),
                format!(
                    "two {kinds} are named '{trimmed}' (the first is on line {})",
                    first.line
                ),
                format!("give each {kind} its own name"),
            );
        } else {
            seen.insert(trimmed, name.position);
        }
    }
}

fn check_workload(checker: &mut Checker, located: &Located<RawWorkload>) -> Option<Workload> {
    let raw = &located.value;
    let name = &raw.name.value;
    let totals = raw.input_tokens.is_some() || raw.output_tokens.is_some();
    let per_request = raw.requests.is_some()
        || raw.input_tokens_per_request.is_some()
        || raw.output_tokens_per_request.is_some();
    let volume_help = "give `input_tokens` and `output_tokens` per month, or `requests` with `input_tokens_per_request` and `output_tokens_per_request`";
    let (input_tokens, output_tokens, shape) = if totals && per_request {
        checker.error_at(
            raw.name.position,
            name.chars().count(),
            format!("workload '{name}' gives both monthly totals and per-request sizes"),
            volume_help,
        );
        (None, None, None)
    } else if per_request {
        let requests = parse_required(
            checker,
            &raw.requests,
            "requests",
            name,
            raw.name.position,
            volume_help,
        );
        let input = parse_required(
            checker,
            &raw.input_tokens_per_request,
            "input_tokens_per_request",
            name,
            raw.name.position,
            volume_help,
        );
        let output = parse_required(
            checker,
            &raw.output_tokens_per_request,
            "output_tokens_per_request",
            name,
            raw.name.position,
            volume_help,
        );
        match (requests, input, output) {
            (Some(requests), Some(input), Some(output)) => {
                match (requests.checked_mul(input), requests.checked_mul(output)) {
                    (Some(total_input), Some(total_output)) => (
                        Some(total_input),
                        Some(total_output),
                        Some(RequestShape {
                            requests,
                            input_tokens_per_request: input,
                            output_tokens_per_request: output,
                        }),
                    ),
                    _ => {
                        checker.error_at(
                            raw.name.position,
                            name.chars().count(),
                            format!("workload '{name}' has more tokens per month than can be held"),
                            "check `requests` and the tokens per request",
                        );
                        (None, None, None)
                    }
                }
            }
            _ => (None, None, None),
        }
    } else {
        let input = parse_required(
            checker,
            &raw.input_tokens,
            "input_tokens",
            name,
            raw.name.position,
            volume_help,
        );
        let output = parse_required(
            checker,
            &raw.output_tokens,
            "output_tokens",
            name,
            raw.name.position,
            volume_help,
        );
        (input, output, None)
    };
    let share = |checker: &mut Checker, key: &str, field: &Option<Located<String>>| {
        checker.parse_optional(key, field, values::share)
    };
    let cache_hit_rate = share(checker, "cache_hit_rate", &raw.cache_hit_rate);
    let cache_write_rate = share(checker, "cache_write_rate", &raw.cache_write_rate);
    let batch_share = share(checker, "batch_share", &raw.batch_share);
    let off_peak_share = share(checker, "off_peak_share", &raw.off_peak_share);
    let cache_hit_rate = cache_hit_rate?.unwrap_or_default();
    let cache_write_rate = cache_write_rate?.unwrap_or_default();
    if cache_hit_rate + cache_write_rate > rust_decimal::Decimal::ONE {
        let field = raw
            .cache_write_rate
            .as_ref()
            .expect("a positive write rate was given");
        checker.error_at(
            field.position,
            field.value.chars().count(),
            format!("workload '{name}' reads and writes more than all of its input from cache"),
            "cache_hit_rate + cache_write_rate must be at most 1",
        );
        return None;
    }
    Some(Workload {
        name: name.trim().to_string(),
        task: raw.task.clone(),
        input_tokens: input_tokens?,
        output_tokens: output_tokens?,
        shape,
        cache_hit_rate,
        cache_write_rate,
        batch_share: batch_share?.unwrap_or_default(),
        off_peak_share: off_peak_share?,
        tier: raw.tier.unwrap_or_default(),
        data_class: raw.data_class.unwrap_or_default(),
        regional_processing: raw.regional_processing.unwrap_or(false),
        origin: Origin {
            file: checker.source.name.clone(),
            position: located.position,
        },
    })
}

fn parse_required(
    checker: &mut Checker,
    field: &Option<Located<String>>,
    key: &str,
    workload: &str,
    position: Position,
    help: &str,
) -> Option<u64> {
    match field {
        Some(field) => checker.parse(key, field, values::tokens),
        None => {
            checker.error_at(
                position,
                workload.chars().count(),
                format!("workload '{workload}' has no `{key}`"),
                help,
            );
            None
        }
    }
}

fn check_policy(
    checker: &mut Checker,
    located: &Located<RawPolicy>,
    workloads: &[Workload],
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) -> Option<Policy> {
    let raw = &located.value;
    let policy_name = &raw.name.value;
    let workload_names: BTreeSet<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    let mut routes = Vec::new();
    let mut ok = true;
    for route in &raw.routes {
        let matcher = &route.value.matcher.value;
        check_matcher(checker, &route.value.matcher);
        if let Some(names) = &matcher.workload {
            for name in &names.value.0 {
                if !workload_names.contains(name.as_str()) && !workloads.is_empty() {
                    let help = match nearest(name, workload_names.iter().copied()) {
                        Some(close) => format!("did you mean '{close}'?"),
                        None => "name a workload of this scenario".to_string(),
                    };
                    checker.warning_at(
                        names.position,
                        name.chars().count(),
                        format!("policy '{policy_name}' routes workload '{name}', which the scenario does not define"),
                        help,
                    );
                }
            }
        }
        let matcher = to_match(matcher);
        ok &= check_model_reference(checker, &route.value.model, catalogue, as_of);
        let route = Route {
            matcher,
            target: Target {
                model: route.value.model.value.clone(),
                tier: route.value.tier,
                prices: route.value.prices.unwrap_or_default(),
            },
            origin: Origin {
                file: checker.source.name.clone(),
                position: route.position,
            },
        };
        if !workloads.is_empty() && !workloads.iter().any(|w| route.matcher.matches(w)) {
            checker.warning_at(
                route.origin.position,
                1,
                format!("a route of policy '{policy_name}' matches no workload"),
                "check the `match:` criteria; this route has no effect",
            );
        }
        routes.push(route);
    }
    let default = raw.default.as_ref().map(|target| {
        let model = Located::new(target.value.model.clone(), target.position);
        ok &= check_model_reference(checker, &model, catalogue, as_of);
        Target {
            model: target.value.model.clone(),
            tier: target.value.tier,
            prices: target.value.prices.unwrap_or_default(),
        }
    });
    let policy = Policy {
        name: policy_name.trim().to_string(),
        description: raw.description.clone(),
        routes,
        default,
        human_review: raw.human_review.as_ref().map(to_match),
        compliance_exempt: raw.compliance == Some(ComplianceMode::Exempt),
        origin: Origin {
            file: checker.source.name.clone(),
            position: located.position,
        },
    };
    check_context_windows(checker, &policy, raw, workloads, catalogue, as_of);
    for workload in workloads {
        if policy.route(workload).is_none() {
            checker.error_at(
                raw.name.position,
                policy_name.chars().count(),
                format!(
                    "policy '{policy_name}' leaves workload '{}' unrouted",
                    workload.name
                ),
                "add a route that matches it, or a `default:` model",
            );
            ok = false;
        }
    }
    ok.then_some(policy)
}

/// A route's `match:` must narrow something down: `match: {}` (or only empty lists) matches
/// every workload, which is what `default:` says, and reads like a route that matches nothing.
fn check_matcher(checker: &mut Checker, matcher: &Located<RawMatch>) {
    let raw = &matcher.value;
    let names = |key, names: &Option<Located<Names>>| {
        let names = names.as_ref()?;
        names.value.0.is_empty().then_some((key, names.position))
    };
    let classes = raw
        .data_class
        .as_ref()
        .filter(|classes| classes.is_empty())
        .map(|_| ("data_class", matcher.position));
    let empty_lists = [
        names("workload", &raw.workload),
        names("task", &raw.task),
        classes,
    ];
    for (key, position) in empty_lists.into_iter().flatten() {
        checker.error_at(
            position,
            1,
            format!("`match: {{{key}: []}}` is an empty list, which would match every workload"),
            format!("name at least one {key} in the list, or remove the `{key}` key"),
        );
    }
    if raw.workload.is_none() && raw.task.is_none() && raw.data_class.is_none() {
        checker.error_at(
            matcher.position,
            1,
            "`match: {}` matches every workload",
            "send everything else with the policy's `default: MODEL` instead; a route's `match:` names a `workload`, `task` or `data_class`",
        );
    }
    for names in [&raw.workload, &raw.task].into_iter().flatten() {
        if names.value.0.iter().any(|name| name.trim().is_empty()) {
            checker.error_at(
                names.position,
                1,
                "`match:` names an empty workload or task",
                "write the name, or remove the empty entry",
            );
        }
    }
}

fn to_match(matcher: &RawMatch) -> Match {
    Match {
        workloads: matcher
            .workload
            .as_ref()
            .map(|n| n.value.0.clone())
            .unwrap_or_default(),
        tasks: matcher
            .task
            .as_ref()
            .map(|n| n.value.0.clone())
            .unwrap_or_default(),
        data_classes: matcher.data_class.clone().unwrap_or_default(),
    }
}

/// A request larger than the routed model's context window cannot be served at any price.
fn check_context_windows(
    checker: &mut Checker,
    policy: &Policy,
    raw: &RawPolicy,
    workloads: &[Workload],
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) {
    let Some(as_of) = as_of else {
        return;
    };
    for workload in workloads {
        let Some(shape) = &workload.shape else {
            continue;
        };
        let routed = policy
            .routes
            .iter()
            .find(|route| route.matcher.matches(workload))
            .map(|route| (&route.target, route.origin.position))
            .or_else(|| Some((policy.default.as_ref()?, raw.default.as_ref()?.position)));
        let Some((target, position)) = routed else {
            continue;
        };
        let Some(model) = catalogue.model(&target.model) else {
            continue;
        };
        let Some(window) = model.context_window_at(as_of) else {
            continue;
        };
        if shape.input_tokens_per_request > window {
            checker.error_at(
                position,
                1,
                format!(
                    "policy '{}' sends workload '{}' ({} input tokens per request) to '{}', whose context window is {} tokens{}",
                    policy.name,
                    workload.name,
                    shape.input_tokens_per_request,
                    model.id,
                    window,
                    model
                        .context_window_changes
                        .iter()
                        .rev()
                        .find(|(from, _)| *from <= as_of)
                        .map(|(from, _)| format!(" from {}", values::show_instant(*from)))
                        .unwrap_or_default()
                ),
                "route the workload to a model with a larger context window, or split its requests",
            );
        }
    }
}

/// Checks that a routed model exists and has a price on the scenario date.
fn check_model_reference(
    checker: &mut Checker,
    model: &Located<String>,
    catalogue: &Catalogue,
    as_of: Option<jiff::Timestamp>,
) -> bool {
    let width = model.value.chars().count();
    if catalogue.humans.contains_key(&model.value) {
        checker.error_at(
            model.position,
            width,
            format!("'{}' is a human reviewer, not a model", model.value),
            "route to a model here; a reviewer may only appear at the end of a `fallback:` chain or in `quality.sign_off:`",
        );
        return false;
    }
    let Some(found) = catalogue.model(&model.value) else {
        let help = match catalogue.nearest_model(&model.value) {
            Some(name) => format!("did you mean '{name}'? `mixcost models` lists the catalogue"),
            None => {
                "`mixcost models` lists the catalogue; add the model with --pricing DIR".to_string()
            }
        };
        checker.error_at(
            model.position,
            width,
            format!("unknown model '{}'", model.value),
            help,
        );
        return false;
    };
    let Some(as_of) = as_of else {
        return true;
    };
    if found.price_set_at(as_of).is_none() {
        let first = found
            .prices
            .first()
            .map(|set| values::show_instant(set.from))
            .unwrap_or_default();
        checker.error_at(
            model.position,
            width,
            format!(
                "model '{}' has no price on {}: its price history starts {first}",
                model.value,
                values::show_instant(as_of)
            ),
            "move `as_of` to a date the model was priced, or route to another model",
        );
        return false;
    }
    if let Some(retires) = found.retires.filter(|retires| *retires <= as_of) {
        checker.error_at(
            model.position,
            width,
            format!(
                "model '{}' was retired on {}; it cannot be priced on {}",
                model.value,
                values::show_instant(retires),
                values::show_instant(as_of)
            ),
            match &found.successor {
                Some(successor) => format!(
                    "route to its successor '{successor}', or move `as_of` before {}",
                    values::show_instant(retires)
                ),
                None => format!(
                    "route to another model, or move `as_of` before {}",
                    values::show_instant(retires)
                ),
            },
        );
        return false;
    }
    if let Some(deprecated) = found.deprecated {
        if deprecated <= as_of {
            checker.warning_at(
                model.position,
                width,
                format!(
                    "model '{}' is deprecated since {}",
                    model.value,
                    values::show_instant(deprecated)
                ),
                match &found.successor {
                    Some(successor) => format!("its successor is '{successor}'"),
                    None => "plan a replacement".to_string(),
                },
            );
        }
    }
    true
}
