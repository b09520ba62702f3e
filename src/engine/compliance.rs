//! Compliance: does any policy send a workload's data somewhere its class forbids?
//!
//! For each policy and workload, the route the workload takes (first matching route, else the
//! default) is held against the scenario's rule for the workload's data class: allowed
//! deployments, providers and open-weight status, and whether a human must review the output.
//! Each breach is a [`Violation`] naming the route and the rule, with where both were written.
//! A policy marked `compliance: exempt` (a hypothetical kept for comparison) is not held to
//! the rules.

use crate::model::catalogue::{Catalogue, Deployment, Origin};
use crate::model::rules::Rule;
use crate::model::scenario::{DataClass, Policy, Scenario, Workload};

/// Which part of a rule was broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breach {
    Deployment {
        actual: Deployment,
        allowed: Vec<Deployment>,
    },
    Provider {
        actual: String,
        allowed: Vec<String>,
    },
    OpenWeight {
        required: bool,
    },
    HumanReview,
}

/// One workload of one policy sent somewhere its data class does not allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub policy: String,
    pub workload: String,
    pub data_class: DataClass,
    pub model: String,
    pub breach: Breach,
    /// The route that sends the work (the policy itself when its default does).
    pub route: Origin,
    /// `None` when the default target sends the work.
    pub route_index: Option<usize>,
    pub rule: Origin,
}

/// Every violation in `scenario`, in policy, workload and rule order.
pub fn violations(scenario: &Scenario, catalogue: &Catalogue) -> Vec<Violation> {
    let mut found = Vec::new();
    // A policy marked `compliance: exempt` is a hypothetical, priced for comparison only.
    for policy in scenario.policies.iter().filter(|p| !p.compliance_exempt) {
        for workload in &scenario.workloads {
            if let Some(rule) = scenario.constraints.get(&workload.data_class) {
                check(policy, workload, rule, catalogue, &mut found);
            }
        }
    }
    found
}

fn check(
    policy: &Policy,
    workload: &Workload,
    rule: &Rule,
    catalogue: &Catalogue,
    found: &mut Vec<Violation>,
) {
    let routed = policy
        .routes
        .iter()
        .enumerate()
        .find(|(_, route)| route.matcher.matches(workload))
        .map(|(index, route)| (&route.target, route.origin.clone(), Some(index)));
    let Some((target, route, route_index)) = routed.or_else(|| {
        policy
            .default
            .as_ref()
            .map(|target| (target, policy.origin.clone(), None))
    }) else {
        return;
    };
    let Some(model) = catalogue.model(&target.model) else {
        return;
    };
    let mut breaches = Vec::new();
    if !rule.deployments.is_empty() && !rule.deployments.contains(&model.deployment) {
        breaches.push(Breach::Deployment {
            actual: model.deployment,
            allowed: rule.deployments.clone(),
        });
    }
    if !rule.providers.is_empty() && !rule.providers.contains(&model.provider) {
        breaches.push(Breach::Provider {
            actual: model.provider.clone(),
            allowed: rule.providers.clone(),
        });
    }
    if let Some(required) = rule.open_weight {
        if model.open_weight != Some(required) {
            breaches.push(Breach::OpenWeight { required });
        }
    }
    if rule.human_review
        && !policy
            .human_review
            .as_ref()
            .is_some_and(|reviewed| reviewed.matches(workload))
    {
        breaches.push(Breach::HumanReview);
    }
    for breach in breaches {
        found.push(Violation {
            policy: policy.name.clone(),
            workload: workload.name.clone(),
            data_class: workload.data_class,
            model: model.id.clone(),
            breach,
            route: route.clone(),
            route_index,
            rule: rule.origin.clone(),
        });
    }
}

impl Violation {
    /// `route 1 of policy 'p' sends workload 'w' (regulated data) to 'gpt-5.5', a hosted model; …`
    pub fn message(&self) -> String {
        let sends = format!(
            "{} sends workload '{}' ({} data) to '{}'",
            self.route_label(),
            self.workload,
            self.data_class.as_str(),
            self.model
        );
        let class = self.data_class.as_str();
        match &self.breach {
            Breach::Deployment { actual, allowed } => format!(
                "{sends}, a {} model; constraints.{class} allows deployment: {}",
                actual.as_str(),
                allowed
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Breach::Provider { actual, allowed } => format!(
                "{sends} from provider '{actual}'; constraints.{class} allows providers: {}",
                allowed.join(", ")
            ),
            Breach::OpenWeight { required: true } => format!(
                "{sends}, whose weights are closed (or not recorded as open); constraints.{class} requires open_weight: true"
            ),
            Breach::OpenWeight { required: false } => format!(
                "{sends}, an open-weight model; constraints.{class} requires open_weight: false"
            ),
            Breach::HumanReview => {
                format!("{sends} without human review; constraints.{class} requires human_review")
            }
        }
    }

    /// What to do about it.
    pub fn help(&self) -> String {
        let rule_at = format!("{}:{}", self.rule.file, self.rule.position.line);
        match self.breach {
            Breach::HumanReview => format!(
                "add `human_review: {{data_class: [{}]}}` to policy '{}', or change the rule at {rule_at}",
                self.data_class.as_str(),
                self.policy
            ),
            _ => format!(
                "route {} work to a model the rule allows, or change the rule at {rule_at}",
                self.data_class.as_str()
            ),
        }
    }

    /// `route 2 of policy 'p'` or `the default of policy 'p'`.
    pub fn route_label(&self) -> String {
        match self.route_index {
            Some(index) => format!("route {} of policy '{}'", index + 1, self.policy),
            None => format!("the default of policy '{}'", self.policy),
        }
    }
}
