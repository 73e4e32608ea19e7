use fifowin_engine::{AttributeValue, MessageAttributes};
use proptest::prelude::*;

use super::*;

fn attrs(list: &[(&str, &str, &str)]) -> FilterInput {
    let mut map = MessageAttributes::new();
    for (name, data_type, value) in list {
        map.insert(
            (*name).to_string(),
            AttributeValue {
                data_type: (*data_type).to_string(),
                string_value: Some((*value).to_string()),
                ..AttributeValue::default()
            },
        );
    }
    FilterInput::from_attributes(&map)
}

fn on_attrs(policy: &str, input: &[(&str, &str, &str)]) -> bool {
    FilterPolicy::parse(policy, FilterScope::MessageAttributes)
        .unwrap()
        .matches(&attrs(input))
}

fn on_body(policy: &str, body: &str) -> bool {
    FilterPolicy::parse(policy, FilterScope::MessageBody)
        .unwrap()
        .matches(&FilterInput::from_body(body))
}

fn error(policy: &str, scope: FilterScope) -> String {
    match FilterPolicy::parse(policy, scope).unwrap_err() {
        FilterPolicyError::Detail(text) => text,
        FilterPolicyError::Nested => "<nested>".to_string(),
    }
}

#[test]
fn numeric_range_on_attributes() {
    let p = r#"{"attr1":[{"numeric":[">",0,"<=",100]}]}"#;
    assert!(on_attrs(p, &[("attr1", "Number", "99")]));
    assert!(on_attrs(p, &[("attr1", "Number", "100")]));
    assert!(!on_attrs(p, &[("attr1", "Number", "111")]));
    assert!(!on_attrs(p, &[("attr1", "Number", "0")]));
    // A String attribute never matches a numeric condition.
    assert!(!on_attrs(p, &[("attr1", "String", "99")]));
}

#[test]
fn exact_numbers_match_with_five_decimals() {
    assert!(on_attrs(r#"{"p":[301.5]}"#, &[("p", "Number", "301.50")]));
    assert!(on_attrs(
        r#"{"p":[{"numeric":["=",301.5]}]}"#,
        &[("p", "Number", "301.5")]
    ));
    assert!(on_attrs(r#"{"p":[1]}"#, &[("p", "Number", "1.000001")]));
    assert!(!on_attrs(r#"{"p":[1]}"#, &[("p", "Number", "1.0001")]));
}

#[test]
fn exists_true_and_false() {
    let yes = r#"{"store":[{"exists":true}]}"#;
    let no = r#"{"store":[{"exists":false}]}"#;
    assert!(on_attrs(yes, &[("store", "String", "x")]));
    assert!(!on_attrs(yes, &[("other", "String", "x")]));
    assert!(!on_attrs(no, &[("store", "String", "x")]));
    assert!(on_attrs(no, &[("other", "String", "x")]));
}

#[test]
fn exact_strings_and_string_arrays() {
    let p = r#"{"store":["value1"]}"#;
    assert!(on_attrs(p, &[("store", "String", "value1")]));
    assert!(!on_attrs(p, &[("store", "String", "Value1")]));
    assert!(on_attrs(
        p,
        &[("store", "String.Array", r#"["value1","value2"]"#)]
    ));
    assert!(!on_attrs(
        p,
        &[("store", "String.Array", r#"["value2","value3"]"#)]
    ));
    // Binary attributes take no part.
    assert!(!on_attrs(p, &[("store", "Binary", "value1")]));
}

#[test]
fn prefix_suffix_and_equals_ignore_case() {
    assert!(on_attrs(
        r#"{"k":[{"prefix":"auto-"}]}"#,
        &[("k", "String", "auto-x")]
    ));
    assert!(!on_attrs(
        r#"{"k":[{"prefix":"auto-"}]}"#,
        &[("k", "String", "x-auto-")]
    ));
    assert!(on_attrs(
        r#"{"k":[{"suffix":".png"}]}"#,
        &[("k", "String", "a.png")]
    ));
    assert!(!on_attrs(
        r#"{"k":[{"suffix":".png"}]}"#,
        &[("k", "String", "a.jpg")]
    ));
    let p = r#"{"k":[{"equals-ignore-case":"Rugby"}]}"#;
    assert!(on_attrs(p, &[("k", "String", "RUGBY")]));
    assert!(!on_attrs(p, &[("k", "String", "rugby league")]));
}

#[test]
fn anything_but_values_lists_numbers_and_prefix() {
    let p = r#"{"k":[{"anything-but":"x"}]}"#;
    assert!(on_attrs(p, &[("k", "String", "y")]));
    assert!(!on_attrs(p, &[("k", "String", "x")]));
    // The key must be present.
    assert!(!on_attrs(p, &[("other", "String", "y")]));
    let list = r#"{"k":[{"anything-but":["a","b"]}]}"#;
    assert!(on_attrs(list, &[("k", "String", "c")]));
    assert!(!on_attrs(list, &[("k", "String", "b")]));
    // An array matches only when none of its elements is listed.
    assert!(!on_attrs(list, &[("k", "String.Array", r#"["c","a"]"#)]));
    assert!(on_attrs(list, &[("k", "String.Array", r#"["c","d"]"#)]));
    let num = r#"{"k":[{"anything-but":100}]}"#;
    assert!(on_attrs(num, &[("k", "Number", "101")]));
    assert!(!on_attrs(num, &[("k", "Number", "100")]));
    let prefix = r#"{"k":[{"anything-but":{"prefix":"order-"}}]}"#;
    assert!(on_attrs(prefix, &[("k", "String", "invoice-1")]));
    assert!(!on_attrs(prefix, &[("k", "String", "order-1")]));
}

#[test]
fn null_and_anything_but_do_not_match_a_missing_key() {
    let p = r#"{"attr1":[null,{"anything-but":"whatever"}]}"#;
    assert!(!on_attrs(p, &[("attr2", "String", "x")]));
}

#[test]
fn or_at_the_top_level() {
    let p = r#"{"$or":[{"a":["1"]},{"b":["2"]}]}"#;
    assert!(on_attrs(p, &[("a", "String", "1")]));
    assert!(on_attrs(p, &[("b", "String", "2")]));
    assert!(!on_attrs(p, &[("a", "String", "2")]));
}

#[test]
fn and_across_keys_or_within_a_key() {
    let p = r#"{"a":["1","2"],"b":["x"]}"#;
    assert!(on_attrs(p, &[("a", "String", "2"), ("b", "String", "x")]));
    assert!(!on_attrs(p, &[("a", "String", "2")]));
}

#[test]
fn body_scope_nested_policy() {
    let p = r#"{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}"#;
    assert!(on_body(p, r#"{"object":{"key":"auto-test"}}"#));
    assert!(on_body(p, r#"{"object":{"key":"hardcodedvalue"}}"#));
    assert!(!on_body(p, r#"{"object":{"key":"test-auto"}}"#));
    assert!(!on_body(p, r#"{"object":{"key":"auto-test"},"test":"x"}"#));
    assert!(!on_body(
        p,
        r#"{"object":{"key":"auto-test","nested_key":"x"}}"#
    ));
    assert!(!on_body(p, "Regular string message"));
}

#[test]
fn body_scope_payload_arrays() {
    let p = r#"{"headers":{"route-to":["queue1"]}}"#;
    assert!(on_body(
        p,
        r#"{"headers":{"route-to":["queue1","queue2"]}}"#
    ));
    assert!(!on_body(p, r#"{"headers":{"route-to":["queue3"]}}"#));
}

#[test]
fn dotted_keys_equal_nesting_on_both_sides() {
    let p = r#"{"object.nested.test":["string.value"]}"#;
    assert!(on_body(
        p,
        r#"{"object":{"nested":{"test":"string.value"}}}"#
    ));
    assert!(on_body(p, r#"{"object.nested":{"test":"string.value"}}"#));
    assert!(on_body(p, r#"{"object":{"nested.test":"string.value"}}"#));
    assert!(!on_body(
        p,
        r#"{"object":{"nested":{"test":"string.notvalue"}}}"#
    ));
    let nested = r#"{"object":{"nested":["v"]}}"#;
    assert!(on_body(nested, r#"{"object.nested":"v"}"#));
}

#[test]
fn cidr_v4_and_v6_inside_a_nested_or() {
    let p = r#"{"detail":{"$or":[{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]},{"sourceIPAddressV6":[{"cidr":"2001:db8:1234:1a00::/64"}]}]}}"#;
    assert!(on_body(p, r#"{"detail":{"sourceIPAddress":"10.0.0.255"}}"#));
    assert!(!on_body(
        p,
        r#"{"detail":{"sourceIPAddress":"10.0.0.256"}}"#
    ));
    assert!(!on_body(p, r#"{"detail":{"sourceIPAddress":"10.0.1.1"}}"#));
    assert!(on_body(
        p,
        r#"{"detail":{"sourceIPAddressV6":"2001:0db8:1234:1a00:0000:0000:0000:0000"}}"#
    ));
    assert!(!on_body(
        p,
        r#"{"detail":{"sourceIPAddressV6":"2001:0db8:123f:1a01:0000:0000:0000:0000"}}"#
    ));
}

#[test]
fn empty_string_and_literals_in_the_body() {
    let p = r#"{"detail":{"eventVersion":[""]}}"#;
    assert!(on_body(
        p,
        r#"{"resources":[],"detail":{"eventVersion":"","responseElements":null}}"#
    ));
    assert!(on_body(r#"{"a":[null]}"#, r#"{"a":null}"#));
    assert!(on_body(r#"{"a":[true]}"#, r#"{"a":true}"#));
    assert!(!on_body(r#"{"a":[false]}"#, r#"{"a":true}"#));
    assert!(!on_body(r#"{"a":[null]}"#, r#"{"b":1}"#));
}

#[test]
fn body_scope_needs_a_json_object() {
    assert!(!on_body(r#"{"a":[{"exists":false}]}"#, "\"just a string\""));
    assert!(!on_body(r#"{"a":[{"exists":false}]}"#, "[1,2]"));
    assert!(on_body(r#"{"a":[{"exists":false}]}"#, "{}"));
}

#[test]
fn validation_errors_word_for_word() {
    let a = FilterScope::MessageAttributes;
    let b = FilterScope::MessageBody;
    assert_eq!(
        error(r#"{"k":[["x"]]}"#, a),
        "Match value must be String, number, true, false, or null"
    );
    assert_eq!(
        error(r#"{"k":[{"wrong-operator":1}]}"#, a),
        "Unrecognized match type wrong-operator"
    );
    assert_eq!(
        error(r#"{"k":[{"prefix":"a","suffix":"b"}]}"#, a),
        "Only one key allowed in match expression"
    );
    assert_eq!(error(r#"{"k":[]}"#, a), "Empty arrays are not allowed");
    assert_eq!(
        error(r#"{"k":[{"suffix":1}]}"#, a),
        "suffix match pattern must be a string"
    );
    assert_eq!(
        error(r#"{"k":"v"}"#, a),
        "\"k\" must be an object or an array"
    );
    assert_eq!(
        error(r#"{"k":[{"exists":"yes"}]}"#, a),
        "exists match pattern must be either true or false."
    );
    assert_eq!(
        error(r#"{"k":[{"cidr":"10.0.0.0"}]}"#, a),
        "Malformed CIDR, one '/' required"
    );
    assert_eq!(
        error(r#"{"k":[{"cidr":"xx.11.xx/8"}]}"#, a),
        "Nonstandard IP address: xx.11.xx"
    );
    assert_eq!(
        error(r#"{"k":[{"numeric":[">=","x"]}]}"#, a),
        "Value of >= must be numeric"
    );
    assert_eq!(
        error(r#"{"k":[{"numeric":[">",10,"<",5]}]}"#, a),
        "Bottom must be less than top"
    );
    assert_eq!(
        error(r#"{"k":[{"numeric":[">",0,"<",5,"=",3]}]}"#, a),
        "Too many terms in numeric range expression"
    );
    assert_eq!(
        error(r#"{"k":[{"anything-but":{"suffix":"x"}}]}"#, a),
        "Unsupported anything-but pattern: suffix"
    );
    assert_eq!(
        error(r#"{"k":[{"anything-but":{"exists":false}}]}"#, a),
        "Unsupported anything-but pattern: exists"
    );
    assert_eq!(error(r#"{"a":{"b":["x"]}}"#, a), "<nested>");
    assert!(error("{not json", b).starts_with("failed to parse JSON. "));
}

#[test]
fn at_most_five_keys() {
    let five = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}"#;
    assert!(FilterPolicy::parse(five, FilterScope::MessageAttributes).is_ok());
    let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
    assert_eq!(
        error(six, FilterScope::MessageAttributes),
        "Filter policy can not have more than 5 keys"
    );
}

fn values(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| format!("\"v{i}\"")).collect();
    format!("[{}]", items.join(","))
}

#[test]
fn at_most_150_combinations() {
    let a = FilterScope::MessageAttributes;
    let ok = format!(r#"{{"k":{}}}"#, values(150));
    assert!(FilterPolicy::parse(&ok, a).is_ok());
    let one_key = format!(r#"{{"k":{}}}"#, values(151));
    assert_eq!(error(&one_key, a), "Filter policy is too complex");
    let product = format!(r#"{{"a":{},"b":{}}}"#, values(100), values(51));
    assert_eq!(error(&product, a), "Filter policy is too complex");
    let or = format!(
        r#"{{"$or":[{{"a":{}}},{{"b":{}}}]}}"#,
        values(76),
        values(76)
    );
    assert_eq!(error(&or, a), "Filter policy is too complex");
    let or_ok = format!(
        r#"{{"$or":[{{"a":{}}},{{"b":{}}}]}}"#,
        values(75),
        values(75)
    );
    assert!(FilterPolicy::parse(&or_ok, a).is_ok());
}

proptest! {
    /// anything-but of a list is the complement of the exact match of the same list,
    /// for any present single string value.
    #[test]
    fn anything_but_is_the_complement_of_exact(
        listed in proptest::collection::vec("[a-c]{1,2}", 1..4),
        value in "[a-c]{1,2}",
    ) {
        let list = serde_json::to_string(&listed).unwrap();
        let exact = on_attrs(&format!(r#"{{"k":{list}}}"#), &[("k", "String", &value)]);
        let but = on_attrs(&format!(r#"{{"k":[{{"anything-but":{list}}}]}}"#), &[("k", "String", &value)]);
        prop_assert_eq!(exact, listed.contains(&value));
        prop_assert_eq!(but, !exact);
    }

    /// A numeric range matches exactly the numbers between its bounds.
    #[test]
    fn numeric_ranges_agree_with_comparison(low in -1000i32..1000, span in 1i32..500, value in -2000i32..2000) {
        let high = low + span;
        let p = format!(r#"{{"n":[{{"numeric":[">=",{low},"<",{high}]}}]}}"#);
        let got = on_attrs(&p, &[("n", "Number", &value.to_string())]);
        prop_assert_eq!(got, value >= low && value < high);
    }
}
