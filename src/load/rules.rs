//! The scenario's `constraints:` and `budgets:` sections: their YAML shape and validation.
//!
//! Both sections are optional. Every provider a constraint names must be in the catalogue and
//! every policy or workload a budget names must be in the scenario; each mistake is reported with
//! its position and the nearest known name, like the rest of the scenario.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::amount;
use super::checker::Checker;
use super::diagnostic::Position;
use super::suggest::nearest;
use super::yaml::Located;
use crate::model::catalogue::{Catalogue, Deployment, Origin};
use crate::model::rules::{Budget, Budgets, Constraints, Rule};
use crate::model::scenario::DataClass;

/// One value or a list of values (`deployment: self-hosted` or `deployment: [a, b]`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(value) => vec![value.clone()],
            OneOrMany::Many(values) => values.clone(),
        }
    }
}

/// `human_review: required` (or `optional`, the default).
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum HumanReview {
    Required,
    Optional,
}

/// What one data class allows; every key is optional and an absent key allows everything.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Allowed deployments: `hosted`, `self-hosted`, or a list.
    pub deployment: Option<OneOrMany<Deployment>>,
    /// Allowed providers (ids from the price files), one or a list.
    pub providers: Option<Located<OneOrMany<String>>>,
    /// `true`: only open-weight models; `false`: only closed-weight models.
    pub open_weight: Option<bool>,
    /// `required`: every policy must send this class's work to human review
    /// (policy key `human_review:`).
    pub human_review: Option<HumanReview>,
}

/// Compliance rules per data class: `regulated: {deployment: self-hosted}`.
pub type RawConstraints = BTreeMap<DataClass, Located<RawRule>>;

/// Monthly budgets in USD, per policy and per workload.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBudgets {
    /// Policy name → the most its month may cost, e.g. `mixed-flash: $500`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, super::schema::Scalar>")]
    pub policies: BTreeMap<String, Located<String>>,
    /// Workload name → the most that workload may cost under each policy checked.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, super::schema::Scalar>")]
    pub workloads: BTreeMap<String, Located<String>>,
}

/// Validates `constraints:`; providers must exist in `catalogue`.
pub fn check_constraints(
    checker: &mut Checker,
    raw: &RawConstraints,
    catalogue: &Catalogue,
) -> Constraints {
    let mut constraints = Constraints::new();
    for (class, located) in raw {
        let rule = &located.value;
        let mut providers = Vec::new();
        if let Some(names) = &rule.providers {
            for provider in names.value.to_vec() {
                if !catalogue.providers.contains_key(&provider) {
                    let help = catalogue.unknown_provider_help(&provider);
                    checker.error_at(
                        names.position,
                        1,
                        format!(
                            "constraint for {} data names unknown provider '{provider}'",
                            class.as_str()
                        ),
                        help,
                    );
                }
                providers.push(provider);
            }
        }
        constraints.insert(
            *class,
            Rule {
                deployments: rule
                    .deployment
                    .as_ref()
                    .map(OneOrMany::to_vec)
                    .unwrap_or_default(),
                providers,
                open_weight: rule.open_weight,
                human_review: rule.human_review == Some(HumanReview::Required),
                origin: Origin {
                    file: checker.source.name.clone(),
                    position: located.position,
                },
            },
        );
    }
    constraints
}

/// Validates `budgets:`; every name must be a policy or workload of the scenario.
pub fn check_budgets(
    checker: &mut Checker,
    raw: &RawBudgets,
    policies: &[&str],
    workloads: &[&str],
) -> Option<Budgets> {
    let policies = check_budget_map(checker, &raw.policies, ("policy", "policies"), policies);
    let workloads = check_budget_map(
        checker,
        &raw.workloads,
        ("workload", "workloads"),
        workloads,
    );
    Some(Budgets {
        policies: policies?,
        workloads: workloads?,
    })
}

fn check_budget_map(
    checker: &mut Checker,
    raw: &BTreeMap<String, Located<String>>,
    (kind, kinds): (&str, &str),
    known: &[&str],
) -> Option<BTreeMap<String, Budget>> {
    let mut budgets = BTreeMap::new();
    let mut ok = true;
    for (name, value) in raw {
        if !known.contains(&name.as_str()) {
            let help = match nearest(name, known.iter().copied()) {
                Some(close) => format!("did you mean '{close}'?"),
                None => format!("name one of the scenario's {kinds}: {}", known.join(", ")),
            };
            checker.error_at(
                Position {
                    line: value.position.line,
                    column: 1,
                },
                1,
                format!("budget for unknown {kind} '{name}'"),
                help,
            );
            ok = false;
        }
        match checker.parse(&format!("budgets.{kinds}.{name}"), value, amount::money) {
            Some(amount) => {
                budgets.insert(
                    name.clone(),
                    Budget {
                        amount,
                        origin: Origin {
                            file: checker.source.name.clone(),
                            position: value.position,
                        },
                    },
                );
            }
            None => ok = false,
        }
    }
    ok.then_some(budgets)
}
