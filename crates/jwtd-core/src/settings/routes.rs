//! `[routes]`: each endpoint's path, by the endpoint's name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Paths by endpoint name (`token_obtain = "/users/login/"`). `""` switches an endpoint off; an
/// endpoint not listed keeps its default path.
///
/// This is only the map. Which names exist, their default paths and the checks of the paths
/// (plain, distinct) belong to the server's endpoint table, `jwtd::api::endpoints`, the one list
/// of endpoints; the server refuses a name it does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Routes(BTreeMap<String, String>);

impl Routes {
    /// The configured path of endpoint `name`, if the settings give one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Sets endpoint `name`'s path (`""` switches it off).
    pub fn set(&mut self, name: &str, path: impl Into<String>) {
        self.0.insert(name.to_owned(), path.into());
    }

    /// The configured (name, path) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
