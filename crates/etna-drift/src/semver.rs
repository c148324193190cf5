//! The version bump that a set of changes calls for.

use semver::Version;
use serde::Serialize;

use crate::change::{Change, Class};

/// A semver component to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Fixes and additions that break nobody.
    Patch,
    /// Breaking changes of a 0.x crate.
    Minor,
    /// Breaking changes of a 1.0+ crate.
    Major,
}

/// What the changes mean for the version of `etna-client`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// The component to bump.
    pub bump: Bump,
    /// Why that component.
    pub reason: String,
    /// The version at the base revision, when known.
    pub base: Option<String>,
    /// The version in the working tree's `Cargo.toml`.
    pub current: Option<String>,
    /// The lowest version that reflects the changes.
    pub target: Option<String>,
    /// Whether `current` already reflects them; `None` when there is no base
    /// version to compare with.
    pub reflected: Option<bool>,
}

impl Advice {
    /// Advice for `changes`, given the crate version at the base revision (if
    /// known) and in the working tree.
    pub fn new(changes: &[Change], base: Option<&Version>, current: Option<&Version>) -> Self {
        let breaking = changes.iter().any(|c| c.class == Class::Breaking);
        let reference = base.or(current);
        let (bump, reason) = match (changes.is_empty(), breaking, reference) {
            (true, _, _) => (Bump::None, "no changes".to_owned()),
            (false, false, _) => (Bump::Patch, "no breaking changes".to_owned()),
            (false, true, Some(v)) if v.major == 0 && v.minor == 0 => (
                Bump::Patch,
                "breaking changes; for 0.0.x every patch bump is breaking".to_owned(),
            ),
            (false, true, Some(v)) if v.major == 0 => (
                Bump::Minor,
                "breaking changes; for 0.x the minor component is the breaking one".to_owned(),
            ),
            (false, true, _) => (Bump::Major, "breaking changes".to_owned()),
        };
        let target = reference.and_then(|v| bumped(v, bump));
        let reflected = match (base, current, &target) {
            (Some(_), Some(current), Some(target)) => Some(current >= target),
            (Some(_), Some(_), None) => Some(true),
            _ => None,
        };
        Self {
            bump,
            reason,
            base: base.map(Version::to_string),
            current: current.map(Version::to_string),
            target: target.map(|v| v.to_string()),
            reflected,
        }
    }

    /// One sentence for a person.
    pub fn sentence(&self) -> String {
        let bump = match self.bump {
            Bump::None => return "etna-client: no version bump needed".to_owned(),
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        };
        let target = self.target.as_deref().unwrap_or("?");
        let current = self.current.as_deref().unwrap_or("?");
        let state = match (self.reflected, &self.base) {
            (Some(true), Some(base)) => format!(
                "crates/etna-client/Cargo.toml has {current} (base {base}): already reflects it"
            ),
            (Some(false), Some(base)) => format!(
                "crates/etna-client/Cargo.toml has {current}, as at the base ({base}): bump it to {target}"
            ),
            _ => format!(
                "crates/etna-client/Cargo.toml has {current}; no base version to compare with, so if {current} is released, bump it to {target}"
            ),
        };
        format!(
            "etna-client: {bump} bump ({}) to {target}; {state}",
            self.reason
        )
    }
}

fn bumped(v: &Version, bump: Bump) -> Option<Version> {
    let next = match bump {
        Bump::None => return None,
        Bump::Patch => Version::new(v.major, v.minor, v.patch + 1),
        Bump::Minor => Version::new(v.major, v.minor + 1, 0),
        Bump::Major => Version::new(v.major + 1, 0, 0),
    };
    Some(next)
}

/// The `[package] version` of a `Cargo.toml`.
pub fn package_version(manifest: &str) -> Result<Version, String> {
    let doc: toml_edit::DocumentMut = manifest
        .parse()
        .map_err(|e| format!("not valid TOML: {e}"))?;
    let version = doc
        .get("package")
        .and_then(|p| p.get("version"))
        .ok_or("no `[package] version`")?;
    let text = version
        .as_str()
        .ok_or("`[package] version` is not a string (a version inherited from the workspace is not supported)")?;
    Version::parse(text).map_err(|e| format!("`version = \"{text}\"` is not a semver version: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change of `class`, from a rule that always gives it.
    fn change(class: Class) -> Change {
        let rule = crate::Rule::ALL
            .iter()
            .find(|rule| rule.classes() == [class])
            .unwrap();
        Change::new(*rule, None, "#/x", "x")
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn breaking_changes_of_a_0x_crate_bump_the_minor_component() {
        let advice = Advice::new(
            &[change(Class::Breaking)],
            Some(&v("0.1.0")),
            Some(&v("0.1.0")),
        );
        assert_eq!(advice.bump, Bump::Minor);
        assert_eq!(advice.target.as_deref(), Some("0.2.0"));
        assert_eq!(advice.reflected, Some(false));
        assert!(
            advice.sentence().contains("bump it to 0.2.0"),
            "{}",
            advice.sentence()
        );
        let done = Advice::new(
            &[change(Class::Breaking)],
            Some(&v("0.1.0")),
            Some(&v("0.2.0")),
        );
        assert_eq!(done.reflected, Some(true));
    }

    #[test]
    fn breaking_changes_of_a_1x_crate_bump_the_major_component() {
        let advice = Advice::new(
            &[change(Class::Breaking)],
            Some(&v("1.4.2")),
            Some(&v("1.5.0")),
        );
        assert_eq!(
            (advice.bump, advice.target.as_deref()),
            (Bump::Major, Some("2.0.0"))
        );
        assert_eq!(advice.reflected, Some(false));
    }

    #[test]
    fn other_changes_bump_the_patch_component() {
        let advice = Advice::new(
            &[change(Class::Compatible), change(Class::Docs)],
            Some(&v("0.1.0")),
            Some(&v("0.1.1")),
        );
        assert_eq!(
            (advice.bump, advice.target.as_deref(), advice.reflected),
            (Bump::Patch, Some("0.1.1"), Some(true))
        );
        let none = Advice::new(&[], Some(&v("0.1.0")), Some(&v("0.1.0")));
        assert_eq!((none.bump, none.reflected), (Bump::None, Some(true)));
    }

    #[test]
    fn without_a_base_version_nothing_is_claimed() {
        let advice = Advice::new(&[change(Class::Breaking)], None, Some(&v("0.3.1")));
        assert_eq!(
            (advice.target.as_deref(), advice.reflected),
            (Some("0.4.0"), None)
        );
        assert!(advice.sentence().contains("no base version"));
    }

    #[test]
    fn reads_the_package_version() {
        assert_eq!(
            package_version("[package]\nname = \"x\"\nversion = \"0.1.0\"\n").unwrap(),
            v("0.1.0")
        );
        assert!(
            package_version("[package]\nversion.workspace = true\n")
                .unwrap_err()
                .contains("workspace")
        );
        assert!(package_version("[package\n").unwrap_err().contains("TOML"));
    }
}
