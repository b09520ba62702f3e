//! JSON Schemas of the input files, generated from the loader's own YAML types.
//!
//! Editors use them (through yaml-language-server) to validate and complete scenario and price
//! files while they are typed. Most keys derive their schema; this module holds the hand-written
//! pieces for what the loader deserializes by hand: positions ([`Located`]), scalars the loader
//! parses itself (token counts, shares, prices, dates) and routing targets.

use std::any::TypeId;
use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::yaml::Located;
use crate::model::scenario::{PriceMode, ServiceTier};

/// A scalar the loader parses itself: `100M`, `0.35`, `35%`, `1.74`, `2026-05-20`.
pub struct Scalar;

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a number, or text such as 100M, 35%, $500 or 2026-05-20",
            "type": ["string", "number"]
        })
    }
}

/// A position is invisible in the file: a `Located<T>` is written as a `T`. The loader reads
/// every `Located<String>` from any scalar (numbers and dates included), so those accept numbers.
impl<T: JsonSchema + 'static> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        if TypeId::of::<T>() == TypeId::of::<String>() {
            generator.subschema_for::<Scalar>()
        } else {
            generator.subschema_for::<T>()
        }
    }
}

/// A policy's `default:`: a model name, or `{model, tier, prices}`.
pub struct TargetSchema;

impl JsonSchema for TargetSchema {
    fn schema_name() -> Cow<'static, str> {
        "Target".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let tier = generator.subschema_for::<ServiceTier>();
        let prices = generator.subschema_for::<PriceMode>();
        let validator = generator.subschema_for::<super::quality::RawValidator>();
        json_schema!({
            "description": "a model id, or {model: …, tier: …, prices: list|effective, fallback: […], validator: {…}}",
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "model": {"type": "string"},
                        "tier": tier,
                        "prices": prices,
                        "fallback": {"type": "array", "items": {"type": "string"}},
                        "validator": validator
                    },
                    "required": ["model"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The schema of a file, with the title editors show.
pub fn titled(mut schema: Schema, title: &str) -> Schema {
    schema.insert("title".to_string(), title.into());
    schema
}
