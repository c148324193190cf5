//! Every rule of the engine, in one table: its stable id, the classes it can
//! give and what it finds. The modules that compare the specs name a [`Rule`]
//! and never spell an id, so the table is the whole list, and the corpus can be
//! checked against it (`cargo xtask drift --rules`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::class::Class;

/// One table row per rule: `Variant = "id", [classes], "description";`.
/// Classes are listed from most to least severe; a rule with more than one
/// leaves the choice to the place that finds the change (see [`Rule::with`]).
macro_rules! rules {
    ($($variant:ident = $id:literal, [$($class:ident),+], $description:literal;)+) => {
        /// A rule of the engine; [`Rule::id`] is its stable name, the `rule`
        /// of every [`Change`](crate::Change) it finds.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(#[doc = $description] $variant,)+
        }

        impl Rule {
            /// Every rule, in table order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),+];

            /// The stable id, e.g. `property-added`: in the JSON output and
            /// the corpus expectations.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)+
                }
            }

            /// The classes the rule can give, most severe first.
            pub fn classes(self) -> &'static [Class] {
                match self {
                    $(Rule::$variant => &[$(Class::$class),+],)+
                }
            }

            /// What the rule finds, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Rule::$variant => $description,)+
                }
            }
        }
    };
}

rules! {
    // Operations: the methods of `etna_client::Client`.
    OperationRemoved = "operation-removed", [Breaking],
        "An operation is gone: its method of `Client` disappears.";
    OperationAdded = "operation-added", [Compatible],
        "A new operation: a new method of `Client`.";
    OperationIdChanged = "operation-id-changed", [Breaking],
        "The `operationId` changes: the method of `Client` is renamed.";
    OperationMoved = "operation-moved", [Breaking],
        "The operation moves to another path or method: clients built before call a URL the API no longer serves.";
    OperationDeprecated = "operation-deprecated", [Warning, Compatible],
        "`deprecated` changes: a warning when set (the generated method is not marked), compatible when cleared.";
    SuccessRuleChanged = "success-rule-changed", [Breaking],
        "`x-etna-success` changes: `call()` may report the same answer as a refusal, or a refusal as a success.";

    // Parameters: the builder methods of a call.
    ParameterRemoved = "parameter-removed", [Breaking],
        "A parameter is gone: its builder method disappears.";
    ParameterAdded = "parameter-added", [Breaking, Compatible],
        "A new parameter: breaking when required (`send()` fails until it is set), compatible when optional.";
    ParameterRequired = "parameter-required", [Breaking, Compatible],
        "A parameter becomes required (breaking) or optional (compatible).";

    // Request bodies and the media types of any body.
    RequestBodyRemoved = "request-body-removed", [Breaking],
        "The request body is gone: the builder method `.body(..)` disappears.";
    RequestBodyAdded = "request-body-added", [Breaking, Compatible],
        "A new request body: breaking when required (`send()` fails until `.body(..)` is called), compatible when optional.";
    RequestBodyRequired = "request-body-required", [Compatible],
        "The request body becomes required or optional: the generated client always sends one.";
    MediaTypeRemoved = "media-type-removed", [Breaking, Compatible],
        "A media type of a body is gone: the client sends, or expects, an encoding the API dropped; compatible for another JSON type of a request body that keeps `application/json`, the only one the client sends.";
    MediaTypeAdded = "media-type-added", [Breaking, Compatible],
        "A new media type of a body: breaking in a response (clients built before may not decode it), compatible in a request.";
    BodySchemaChanged = "body-schema-changed", [Breaking],
        "A media type gains or loses its schema: the Rust type of the body changes.";

    // Responses.
    ResponseRemoved = "response-removed", [Breaking, Compatible],
        "A response status is gone: breaking for a success status, compatible for an error status.";
    ResponseAdded = "response-added", [Warning],
        "A new response status: clients built before treat it as unexpected.";
    SuccessTypeChanged = "success-type-changed", [Breaking],
        "The 2xx answers change shape (one body, several statuses, some without a body, none): `.call()`'s result type changes (`T`, `Answer<T>`, `Answer<Option<T>>`, `()`).";
    ErrorTypeChanged = "error-type-changed", [Breaking],
        "The error answers go from one body schema to several, or back: the operation's error type becomes, or stops being, the generated `<Op>ErrorBody` with a variant per body.";
    RefusalChanged = "refusal-changed", [Breaking],
        "`x-etna-refuses` changes: `call()` reports the answer as another error (a refused app key or session, or the operation's own refusal).";
    ResponseHeaderRemoved = "response-header-removed", [Breaking, Warning],
        "A response header is no longer documented: breaking when it was required, a warning otherwise.";
    ResponseHeaderAdded = "response-header-added", [Compatible],
        "A new response header, readable from `ResponseValue::headers()`.";

    // Schemas: the generated Rust types.
    SchemaRemoved = "schema-removed", [Breaking],
        "A component schema is gone: its Rust type disappears.";
    SchemaAdded = "schema-added", [Compatible],
        "A new component schema: a new Rust type.";
    TypeReplaced = "type-replaced", [Breaking],
        "A value refers to another component schema: its Rust type changes.";
    TypeChanged = "type-changed", [Breaking],
        "A schema changes kind (string, object, oneOf, ...): values of one do not decode as the other.";
    FormatChanged = "format-changed", [Breaking],
        "`format` changes: the Rust type generated for the value changes.";
    NewtypeChanged = "newtype-changed", [Breaking],
        "A string gains its first or loses its last length or pattern limit: `String` becomes a validating newtype, or back.";
    DefaultChanged = "default-changed", [Warning],
        "`default` changes: callers that leave the value out get another one.";
    LimitNarrowed = "limit-narrowed", [Breaking, Compatible],
        "A length, range, item count or pattern admits fewer values: breaking in a request, compatible in a response.";
    LimitWidened = "limit-widened", [Breaking, Warning, Compatible],
        "A limit admits more values: compatible in a request; in a response breaking where decoding checks it, a warning where not.";
    PatternChanged = "pattern-changed", [Warning],
        "A pattern is replaced by another: drift cannot tell whether it accepts fewer values.";
    EnumChanged = "enum-changed", [Breaking],
        "A value gains or loses its list of values: its Rust type changes to or from an enum.";
    EnumValueRemoved = "enum-value-removed", [Breaking],
        "An enum loses values: code naming their variants stops compiling.";
    EnumValueAdded = "enum-value-added", [Breaking, Compatible],
        "An enum gains values: breaking in a closed response enum (clients built before fail to decode), compatible in a request or an open union.";
    PropertyAdded = "property-added", [Breaking, Compatible],
        "A new property: breaking in a request (struct literals) or a response that denies unknown fields, compatible in other responses.";
    PropertyRemoved = "property-removed", [Breaking],
        "A property is gone: its field of the Rust struct disappears.";
    PropertyRenamed = "property-renamed", [Breaking],
        "A property is replaced by one of the same shape under another name: its Rust field is renamed.";
    PropertyOptionality = "property-optionality", [Breaking],
        "A property's Rust field becomes an `Option` or stops being one (`required` or `nullable` changes).";
    PropertyRequired = "property-required", [Breaking, Compatible],
        "A nullable property becomes required or optional, its field staying an `Option`: breaking when a request property becomes required, compatible otherwise.";
    UnionMemberRemoved = "union-member-removed", [Breaking],
        "A oneOf/anyOf loses a member: its variant of the Rust enum disappears.";
    UnionMemberAdded = "union-member-added", [Breaking, Compatible],
        "A oneOf/anyOf gains a member: breaking in a response (clients built before fail to decode it), compatible in a request.";

    // Security: which credentials a request carries.
    SecuritySchemeRemoved = "security-scheme-removed", [Warning],
        "A security scheme is gone: requests that carried it are no longer documented to need it.";
    SecuritySchemeChanged = "security-scheme-changed", [Breaking, Compatible],
        "A security scheme changes what a request must carry (its type, HTTP scheme, key location or header name): breaking, compatible when only the case of a name changes.";
    SecuritySchemeAdded = "security-scheme-added", [Compatible],
        "A new security scheme; it matters only where a requirement names it.";
    SecurityRequirementChanged = "security-requirement-changed", [Breaking, Compatible],
        "The security an operation (or the spec) requires changes: breaking when a scheme becomes required or an alternative a caller met is no longer accepted, compatible when a scheme becomes optional or is no longer asked for.";

    // Servers: the client appends the effective server's base path to the API root its caller gives.
    ServerBasePathChanged = "server-base-path-changed", [Breaking],
        "The base path of the spec's server (after the API root, e.g. `/v{version}`) changes: every operation without a server of its own moves.";
    ServerVariableRemoved = "server-variable-removed", [Breaking],
        "A variable of the server's base path is gone: `ClientBuilder::server_variable` (or `api_version`) with its name fails at `build()`.";
    ServerVariableAdded = "server-variable-added", [Compatible],
        "A new variable of the server's base path, with its default: callers may set it.";
    ServerVariableChanged = "server-variable-changed", [Warning],
        "A server variable's default or documented values change: callers that leave it out call another URL after regenerating.";
    OperationServerChanged = "operation-server-changed", [Breaking, Warning, Compatible],
        "An operation's effective server (its own `servers`, its path item's, or the spec's) changes: breaking when its URL moves, a warning when only variable defaults change, compatible when the URL stays.";

    // What the client cannot express at all.
    UnsupportedConstruct = "unsupported-construct", [Breaking],
        "The new spec has a construct etna-spec's operation model cannot express (a server URL without the API root variable, a security scheme the client cannot send, an undeclared scheme): code generation refuses it.";

    // The document's extensions: what the client does with an answer.
    PageEnvelopeChanged = "page-envelope-changed", [Breaking, Compatible],
        "`x-etna-page` changes on a component schema: compatible when added (the operations answering it gain a pager), breaking when removed (the pager disappears) or when its roles change (the pager follows other fields).";
    ClientIdChanged = "client-id-changed", [Breaking, Compatible],
        "`x-etna-client-id` changes on a request property: compatible when added (the operations sending it fill it when empty and can look their result up), breaking when removed (the key and its lookup disappear) or changed (the lookup reads another operation or other parameters).";
    NoDateChanged = "no-date-changed", [Breaking, Compatible],
        "`x-etna-no-date`, the date-time that reads as \"no date\", is added, removed or changed: breaking where both versions have date-times (the same answer decodes as a date where it decoded as `None`, or the reverse), compatible where one has none.";

    // The AsyncAPI document (openapi/etna-streaming.yaml): the streaming
    // message types (`etna_client::stream::messages`) and the protocol.
    StreamMessageRemoved = "stream-message-removed", [Breaking],
        "A message or schema of the AsyncAPI document is gone, or a channel or operation no longer lists a message: its generated type or `Event` variant disappears.";
    StreamMessageAdded = "stream-message-added", [Compatible],
        "A new message or schema in the AsyncAPI document, or a channel or operation lists one more message: a new type or `Event` variant.";
    StreamPropertyRemoved = "stream-property-removed", [Breaking],
        "A property of a streaming schema is gone: its field disappears.";
    StreamPropertyAdded = "stream-property-added", [Compatible],
        "A new property of a streaming schema: a new field (callers decode messages, they do not build them).";
    StreamRequiredChanged = "stream-required-changed", [Breaking],
        "A property of a streaming schema becomes required or optional: its field gains or loses `Option`.";
    StreamTypeChanged = "stream-type-changed", [Breaking],
        "A streaming schema's `type`, `format`, `$ref`, items or JSON text content change: its field's Rust type changes, or its text is read otherwise.";
    StreamConstChanged = "stream-const-changed", [Breaking],
        "A `const` of the AsyncAPI document changes (a discriminator, a command's name, a fixed handshake value): the client writes or expects another value.";
    StreamEnumValueAdded = "stream-enum-value-added", [Compatible],
        "A value is added to an enum of the AsyncAPI document: a new variant (an answer decoded it as `Open::Unlisted` before).";
    StreamEnumValueRemoved = "stream-enum-value-removed", [Breaking],
        "A value is removed from an enum of the AsyncAPI document: its variant disappears.";
    StreamRoleChanged = "stream-role-changed", [Breaking],
        "`x-etna-command`, `x-etna-session-reply`, `x-etna-latest-by`, `x-etna-identity` or `x-etna-no-date` of the AsyncAPI document changes: the streaming runtime writes, reads or skips messages otherwise.";
    StreamProtocolChanged = "stream-protocol-changed", [Breaking],
        "The streamers' channels, operations, servers or handshake change beyond the messages they list: the client connects or routes otherwise.";
    StreamProtocolAdded = "stream-protocol-added", [Compatible],
        "A new channel, operation or server of the AsyncAPI document, or the whole document where there was none: the client can reach what it could not (nothing it used changes).";

    // The rest of the document.
    UnusedComponent = "unused-component", [Docs],
        "A component parameter, request body, response, header, link or callback that no operation refers to changes: no generated code changes (one that an operation refers to is compared through that operation).";
    InfoVersionChanged = "info-version-changed", [Compatible],
        "`info.version` changes: `Client::api_version()` returns the new value.";
    ServersChanged = "servers-changed", [Docs],
        "A part of `servers` the client does not read changes (the API root's variable and its default, servers after the first): callers pass the API root.";
    Docs = "docs", [Docs],
        "Descriptions, summaries, examples, titles or tags: the doc comments change, the code does not.";
    UnresolvedRef = "unresolved-ref", [Warning],
        "A `$ref` cannot be followed: what it names is not compared.";
    Unclassified = "unclassified", [Warning],
        "Any other change, which no rule explains: review it by hand.";
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Self::ALL.iter().copied().find(|rule| rule.id() == id)
    }

    /// The finding of a rule whose class depends on where the change is:
    /// `class` must be one of [`Rule::classes`].
    pub(crate) fn with(self, class: Class) -> Verdict {
        debug_assert!(
            self.classes().len() > 1 && self.classes().contains(&class),
            "rule `{self}` is {:?}, not {class} by situation: add the class to the table, or use the rule alone",
            self.classes()
        );
        Verdict { rule: self, class }
    }
}

/// A rule and the class it gives to one change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verdict {
    pub rule: Rule,
    pub class: Class,
}

impl From<Rule> for Verdict {
    /// A rule that always gives the same class.
    fn from(rule: Rule) -> Self {
        debug_assert!(
            rule.classes().len() == 1,
            "rule `{rule}` can be {:?}: say which with `Rule::with`",
            rule.classes()
        );
        Verdict {
            rule,
            class: rule.classes()[0],
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Rule::from_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown rule `{id}` (the rules are in crates/etna-drift/src/rules.rs)"
            ))
        })
    }
}

/// The table as Markdown, one row per rule: id, classes, description and the
/// corpus cases that expect it (`covering`, e.g. from
/// [`corpus_coverage`](crate::corpus_coverage)).
pub fn rules_markdown(covering: &BTreeMap<Rule, Vec<String>>) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out =
        "| id | class | description | corpus cases |\n| --- | --- | --- | --- |\n".to_owned();
    for &rule in Rule::ALL {
        let classes: Vec<&str> = rule.classes().iter().map(|c| c.name()).collect();
        let cases = match covering.get(&rule).map(Vec::as_slice) {
            None | Some([]) => "**none**".to_owned(),
            Some(cases) => cases
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id(),
            classes.join(", "),
            cell(rule.description()),
            cell(&cases)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_round_trip() {
        let mut seen = HashSet::new();
        for &rule in Rule::ALL {
            let id = rule.id();
            assert!(seen.insert(id), "`{id}` is in the table twice");
            assert!(
                !id.is_empty()
                    && id
                        .split('-')
                        .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase())),
                "`{id}` is not kebab-case"
            );
            assert_eq!(Rule::from_id(id), Some(rule));
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json, id);
            assert_eq!(serde_json::from_value::<Rule>(json).unwrap(), rule);
        }
        assert_eq!(Rule::from_id("no-such-rule"), None);
    }

    #[test]
    fn classes_are_distinct_and_most_severe_first() {
        for &rule in Rule::ALL {
            let classes = rule.classes();
            assert!(
                classes.windows(2).all(|w| w[0] < w[1]),
                "{rule}: {classes:?}"
            );
        }
    }

    /// A description is one table cell.
    #[test]
    fn descriptions_are_one_sentence_on_one_line() {
        for &rule in Rule::ALL {
            let d = rule.description();
            assert!(d.ends_with('.') && !d.contains('\n'), "{rule}: {d:?}");
        }
    }

    #[test]
    fn the_markdown_table_has_a_row_per_rule() {
        let covering = BTreeMap::from([(Rule::Docs, vec!["docs-servers".to_owned()])]);
        let table = rules_markdown(&covering);
        assert_eq!(table.lines().count(), Rule::ALL.len() + 2);
        assert!(
            table.contains(
                "| `docs` | docs | Descriptions, summaries, examples, titles or tags: the doc comments change, the code does not. | `docs-servers` |"
            ),
            "{table}"
        );
        assert!(table.contains("| `limit-widened` | breaking, warning, compatible |"));
        assert!(table.contains("| `unclassified` | warning | Any other change, which no rule explains: review it by hand. | **none** |"));
    }
}
