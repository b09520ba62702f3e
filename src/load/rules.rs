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
use super::suggest::nearest;
use super::yaml::Located;
use crate::model::catalogue::{Catalogue, Deployment, Origin};
use crate::model::rules::{Budget, Budgets, Constraints, Rule};
use crate::model::scenario::DataClass;

/// One value or a list of values (`deployment: self-hosted` or `deployment: [a, b]`).
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// What a key of one value or a list takes, for the message when it is given something else.
pub trait Expected {
    const EXPECTED: &'static str;
}

impl Expected for String {
    const EXPECTED: &'static str = "a name or a list of names, e.g. `[openai, anthropic]`";
}

impl Expected for Deployment {
    const EXPECTED: &'static str = "hosted | self-hosted, or a list of them";
}

/// Deserialized by hand: serde's untagged enums answer a bad value with "data did not match any
/// variant of untagged enum", which names neither the key nor what it takes.
impl<'de, T: Deserialize<'de> + Expected> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, IntoDeserializer, SeqAccess, Visitor};
        use std::marker::PhantomData;

        struct OneOrManyVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de> + Expected> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(T::EXPECTED)
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<OneOrMany<T>, E> {
                let deserializer: de::value::StrDeserializer<'_, E> = text.into_deserializer();
                T::deserialize(deserializer)
                    .map(OneOrMany::One)
                    .map_err(|_| {
                        E::custom(format_args!(
                            "`{text}` is not allowed here, expected {}",
                            T::EXPECTED
                        ))
                    })
            }

            // Numbers and booleans are read as the words they are written with, so `5` is
            // "not allowed here" like any other word, at its own place.
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<OneOrMany<T>, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<OneOrMany<T>, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<OneOrMany<T>, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<OneOrMany<T>, E> {
                self.visit_str(&value.to_string())
            }

            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<OneOrMany<T>, S::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element::<T>()? {
                    values.push(value);
                }
                Ok(OneOrMany::Many(values))
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
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
    pub policies: BTreeMap<Located<String>, Located<String>>,
    /// Workload name → the most that workload may cost under each policy checked.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, super::schema::Scalar>")]
    pub workloads: BTreeMap<Located<String>, Located<String>>,
    /// Policy name → the most one request may cost on average: the policy's month divided by
    /// the workloads' `requests`, e.g. `mixed-flash: $0.004`. Every workload must give
    /// `requests:`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, super::schema::Scalar>")]
    pub per_request: BTreeMap<Located<String>, Located<String>>,
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

/// Validates `budgets:`; every name must be a policy or workload of the scenario, and a
/// per-request budget needs every workload's request count (`totals_only` names a workload
/// given only as token totals).
pub fn check_budgets(
    checker: &mut Checker,
    raw: &RawBudgets,
    policies: &[&str],
    workloads: &[&str],
    totals_only: Option<&str>,
) -> Option<Budgets> {
    let mut counted = true;
    if let (Some(workload), Some((name, _))) = (totals_only, raw.per_request.iter().next()) {
        checker.error_at(
            name.position,
            name.value.chars().count(),
            format!(
                "budgets.per_request needs each workload's request count, but workload '{workload}' gives only token totals"
            ),
            format!("give workload '{workload}' `requests:` with `input_tokens_per_request` and `output_tokens_per_request`, or drop the per-request budget"),
        );
        counted = false;
    }
    let per_request = check_budget_map(
        checker,
        &raw.per_request,
        ("policy", "per_request", "policies"),
        policies,
    );
    let policies = check_budget_map(
        checker,
        &raw.policies,
        ("policy", "policies", "policies"),
        policies,
    );
    let workloads = check_budget_map(
        checker,
        &raw.workloads,
        ("workload", "workloads", "workloads"),
        workloads,
    );
    Some(Budgets {
        policies: policies?,
        workloads: workloads?,
        per_request: per_request.filter(|_| counted)?,
    })
}

fn check_budget_map(
    checker: &mut Checker,
    raw: &BTreeMap<Located<String>, Located<String>>,
    (kind, key, kinds): (&str, &str, &str),
    known: &[&str],
) -> Option<BTreeMap<String, Budget>> {
    let mut budgets = BTreeMap::new();
    let mut ok = true;
    for (located_name, value) in raw {
        let name = &located_name.value;
        if !known.contains(&name.as_str()) {
            let help = match nearest(name, known.iter().copied()) {
                Some(close) => format!("did you mean '{close}'?"),
                None => format!("name one of the scenario's {kinds}: {}", known.join(", ")),
            };
            checker.error_at(
                located_name.position,
                name.chars().count(),
                format!("budget for unknown {kind} '{name}'"),
                help,
            );
            ok = false;
        }
        match checker.parse(&format!("budgets.{key}.{name}"), value, amount::money) {
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
