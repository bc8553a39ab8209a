//! Small models nested in several entities: tags, teams, types of work, custom fields, contact
//! information, the short user model, and the [`Double`] number type.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::model;
use crate::AworkDateTime;

/// A JSON number awork declares as a double (`order`, `numberValue`), kept exactly as written, so
/// that `3` stays `3` and `2.5` stays `2.5` on a round trip.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Double(serde_json::Number);

impl Double {
    /// A double as .NET writes it: whole values without a fraction (`3`, not `3.0`).
    ///
    /// # Panics
    /// If `value` is not finite: JSON has no NaN or infinity.
    pub fn new(value: f64) -> Double {
        assert!(value.is_finite(), "JSON numbers are finite");
        // Whole values within the range where f64 is exact are written as integers.
        if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
            Double(serde_json::Number::from(value as i64))
        } else {
            Double(serde_json::Number::from_f64(value).expect("finite"))
        }
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.0
            .as_f64()
            .expect("a JSON number is representable as f64")
    }
}

impl Default for Double {
    fn default() -> Self {
        Double::new(0.0)
    }
}

impl fmt::Debug for Double {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<i64> for Double {
    fn from(value: i64) -> Self {
        Double(value.into())
    }
}

/// A tag. awork's API models write tags as objects; its documented example writes bare names
/// (`"tags": ["design"]`), so both are accepted and kept as they came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tag {
    /// `{"id": …, "name": "design", "color": "purple"}`, as the API models write tags.
    Object(TagObject),
    /// `"design"`, as awork's documented example writes them.
    Name(String),
}

impl Tag {
    /// The tag's name.
    pub fn name(&self) -> &str {
        match self {
            Tag::Object(tag) => &tag.name,
            Tag::Name(name) => name,
        }
    }
}

model! {
    /// A tag written as an object.
    pub struct TagObject {
        /// The tag's id.
        pub id: Option<String>,
        /// The tag's name (`"design"`).
        pub name: String,
        /// One of awork's colour names (`"purple"`, `"yellow"`, `"green"`, `"blue"`, `"gray"`, …).
        pub color: Option<String>,
    }
}

model! {
    /// A team (`TeamModel`).
    pub struct Team {
        /// The team's id.
        pub id: String,
        /// The team's name (`"Designers"`).
        pub name: Option<String>,
        /// A Material icon name (`"paintbrush"`).
        pub icon: Option<String>,
        /// One of awork's colour names (`"coral"`).
        pub color: Option<String>,
    }
}

model! {
    /// A type of work, the category time is tracked and tasks are planned under.
    pub struct TypeOfWork {
        /// The type of work's id.
        pub id: String,
        /// Its name (`"Design"`, `"Projektarbeit"`).
        pub name: Option<String>,
        /// A Material icon name (`"brush"`).
        pub icon: Option<String>,
        /// Whether it is archived.
        pub is_archived: Option<bool>,
    }
}

model! {
    /// The value of a custom field (`CustomField`): a definition id and exactly one typed value.
    pub struct CustomField {
        /// The custom field definition this value belongs to.
        pub custom_field_definition_id: Option<String>,
        /// A text value.
        pub text_value: Option<String>,
        /// A number value.
        pub number_value: Option<Double>,
        /// A date value.
        pub date_value: Option<AworkDateTime>,
        /// A yes/no value.
        pub boolean_value: Option<bool>,
        /// A user id value.
        pub user_id_value: Option<String>,
        /// A client id value.
        pub client_id_value: Option<String>,
        /// The id of the chosen option of a selection field.
        pub selection_option_id_value: Option<String>,
        /// The chosen option of a selection field.
        pub selection_option: Option<serde_json::Value>,
    }
}

model! {
    /// A phone number, e-mail address, postal address or other contact detail of a client or user.
    pub struct ContactInfo {
        /// The contact info's id.
        pub id: Option<String>,
        /// A label (`"Office"`).
        pub label: Option<String>,
        /// The number, address or handle.
        pub value: Option<String>,
        /// `phone`, `email`, `address`, `custom`, `messenger`, `social` or `urls`.
        #[serde(rename = "type")]
        pub kind: Option<String>,
        /// A refinement of the type (`central`, `invoice`, `work`, `mobile`, …).
        pub sub_type: Option<String>,
        /// Whether this is a postal address.
        pub is_address: Option<bool>,
        /// First address line (`"Torstrasse 140"`).
        pub address_line1: Option<String>,
        /// Second address line.
        pub address_line2: Option<String>,
        /// Postal code (`"10119"`).
        pub zip_code: Option<String>,
        /// City (`"Berlin"`).
        pub city: Option<String>,
        /// State or region.
        pub state: Option<String>,
        /// Two-letter ISO country code (`"DE"`).
        pub country: Option<String>,
        /// When it was created.
        pub created_on: Option<AworkDateTime>,
        /// Who created it.
        pub created_by: Option<String>,
        /// When it was last changed.
        pub updated_on: Option<AworkDateTime>,
        /// Who last changed it.
        pub updated_by: Option<String>,
    }
}

model! {
    /// The short user model nested in time entries, comments and the envelope's `triggeredBy`.
    pub struct NestedUser {
        /// The user's id.
        pub id: String,
        /// First name.
        pub first_name: Option<String>,
        /// Last name.
        pub last_name: Option<String>,
        /// Whether the user has a profile image.
        pub has_image: Option<bool>,
        /// The user's tags.
        pub tags: Option<Vec<Tag>>,
        /// The user's teams.
        pub teams: Option<Vec<Team>>,
        /// Whether the user belongs to another workspace (awork Connect).
        pub is_external: Option<bool>,
    }
}
