import NGCPCore
import Testing

@testable import Policies

/// One expression with its expected value or expected error message.
struct CELCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case value(CELValue)
        /// The exact error message, without the position.
        case error(String)
        /// The exact error message and the 1-based column it points at.
        case errorAt(String, column: Int)
    }

    let id: String
    let expression: String
    let expected: Expected

    var testDescription: String { id }

    init(_ id: String, _ expression: String, _ value: CELValue) {
        self.id = id
        self.expression = expression
        self.expected = .value(value)
    }

    init(_ id: String, _ expression: String, error: String, column: Int? = nil) {
        self.id = id
        self.expression = expression
        if let column {
            self.expected = .errorAt(error, column: column)
        } else {
            self.expected = .error(error)
        }
    }
}

/// The variables every table case can use.
let celVariables: [String: CELValue] = CELValue.variables([
    "desired": [
        "username": "alice", "password_length": 12, "concurrent_max": 4,
        "block_in_list": ["4930555999*", "anonymous"], "ratio": 0.5, "nothing": nil,
        "nested": ["inner": ["value": 1]], "lock": false,
    ],
    "numbers": [1, 2, 3],
    "empty": [],
    "destination": "sip:+43900123456@example.net",
    "params": ["limit": 3, "prefixes": ["43900", "43930"]],
])

extension CELValue {
    static func variables(_ json: [String: JSONValue]) -> [String: CELValue] {
        json.mapValues(CELValue.init)
    }
}

let literalCases: [CELCase] = [
    CELCase("int literal", "42", .int(42)),
    CELCase("negative int literal", "-7", .int(-7)),
    CELCase("smallest int literal", "-9223372036854775808", .int(Int.min)),
    CELCase("hex literal", "0x1F", .int(31)),
    CELCase("double literal", "2.5", .double(2.5)),
    CELCase("double with exponent", "1e3", .double(1000)),
    CELCase("double leading dot", ".5", .double(0.5)),
    CELCase("double negative exponent", "25e-1", .double(2.5)),
    CELCase("double quoted string", #""abc""#, .string("abc")),
    CELCase("single quoted string", "'abc'", .string("abc")),
    CELCase("escaped newline", #""a\nb""#, .string("a\nb")),
    CELCase("escaped quote", #""say \"hi\"""#, .string("say \"hi\"")),
    CELCase("hex escape", #""\x41""#, .string("A")),
    CELCase("unicode escape", #""\u00e9""#, .string("é")),
    CELCase("octal escape", #""\101""#, .string("A")),
    CELCase("raw string keeps backslash", #"r"\d+""#, .string("\\d+")),
    CELCase("triple quoted string", #"'''a'b'''"#, .string("a'b")),
    CELCase("true literal", "true", .bool(true)),
    CELCase("false literal", "false", .bool(false)),
    CELCase("null literal", "null", .null),
    CELCase("list literal", "[1, 'a', true]", .list([.int(1), .string("a"), .bool(true)])),
    CELCase("list trailing comma", "[1, 2,]", .list([.int(1), .int(2)])),
    CELCase("empty list", "[]", .list([])),
    CELCase("map literal", "{'a': 1, 'b': 2}['b']", .int(2)),
    CELCase("empty map size", "size({})", .int(0)),
    CELCase("comment ignored", "1 + // one more\n 1", .int(2)),
    CELCase("unicode string size", "size('héllo')", .int(5)),
]

let arithmeticCases: [CELCase] = [
    CELCase("int addition", "1 + 2", .int(3)),
    CELCase("int subtraction", "1 - 2", .int(-1)),
    CELCase("int multiplication", "6 * 7", .int(42)),
    CELCase("int division truncates", "7 / 2", .int(3)),
    CELCase("negative int division", "-7 / 2", .int(-3)),
    CELCase("int remainder", "7 % 3", .int(1)),
    CELCase("negative remainder", "-7 % 3", .int(-1)),
    CELCase("precedence", "1 + 2 * 3", .int(7)),
    CELCase("parentheses", "(1 + 2) * 3", .int(9)),
    CELCase("left associative subtraction", "10 - 3 - 2", .int(5)),
    CELCase("double addition", "1.5 + 2.25", .double(3.75)),
    CELCase("double division by zero", "1.0 / 0.0", .double(.infinity)),
    CELCase("double multiplication", "0.5 * 4.0", .double(2)),
    CELCase("unary minus of variable", "-desired.concurrent_max", .int(-4)),
    CELCase("double negation", "- -3", .int(3)),
    CELCase("string concatenation", "'ab' + 'cd'", .string("abcd")),
    CELCase("list concatenation", "[1] + [2, 3]", .list([.int(1), .int(2), .int(3)])),
    CELCase(
        "int overflow on addition", "9223372036854775807 + 1", error: "integer overflow",
        column: 21),
    CELCase("int overflow on multiplication", "4611686018427387904 * 2", error: "integer overflow"),
    CELCase("int overflow on subtraction", "-9223372036854775808 - 1", error: "integer overflow"),
    CELCase("int overflow on negation", "-(-9223372036854775808)", error: "integer overflow"),
    CELCase(
        "int overflow on division", "-9223372036854775808 / -1", error: "integer overflow"),
    CELCase("int overflow on remainder", "-9223372036854775808 % -1", error: "integer overflow"),
    CELCase("division by zero", "1 / 0", error: "division by zero", column: 3),
    CELCase("modulus by zero", "5 % (1 - 1)", error: "modulus by zero", column: 3),
    CELCase(
        "int plus string", "1 + 'a'", error: "no matching overload for '+' with int and string",
        column: 3),
    CELCase(
        "int plus double", "1 + 1.0", error: "no matching overload for '+' with int and double"),
    CELCase(
        "double remainder", "5.0 % 2.0",
        error: "no matching overload for '%' with double and double"),
    CELCase(
        "string minus string", "'a' - 'b'",
        error: "no matching overload for '-' with string and string"),
    CELCase("negate string", "-'a'", error: "no matching overload for '-' with string"),
    CELCase(
        "list plus int", "[1] + 1", error: "no matching overload for '+' with list and int"),
    CELCase(
        "bool multiplication", "true * 2", error: "no matching overload for '*' with bool and int"
    ),
]

let comparisonCases: [CELCase] = [
    CELCase(
        "chained comparison", "1 < 2 < 3", error: "no matching overload for '<' with bool and int"),
    CELCase("in binds like equality", "1 in [1] == true", .bool(true)),
    CELCase("code point ordering", "'Z' < 'a' && 'a' < 'é'", .bool(true)),
    CELCase("type values compare", "type(1) != type(1.0)", .bool(true)),
    CELCase("map unequal to list", "{} == []", .bool(false)),

    CELCase("int equality", "1 == 1", .bool(true)),
    CELCase("int inequality", "1 != 2", .bool(true)),
    CELCase("int equals double", "1 == 1.0", .bool(true)),
    CELCase("int not equal fractional double", "1 == 1.5", .bool(false)),
    CELCase("string equality", "'a' == 'a'", .bool(true)),
    CELCase("different types unequal", "1 == '1'", .bool(false)),
    CELCase("null equals null", "null == null", .bool(true)),
    CELCase("null unequal to int", "null != 0", .bool(true)),
    CELCase("list equality", "[1, 2] == [1, 2]", .bool(true)),
    CELCase("list order matters", "[1, 2] == [2, 1]", .bool(false)),
    CELCase("map equality ignores order", "{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", .bool(true)),
    CELCase("nested list with mixed numbers", "[1, [2]] == [1.0, [2.0]]", .bool(true)),
    CELCase("int less than", "1 < 2", .bool(true)),
    CELCase("int less or equal", "2 <= 2", .bool(true)),
    CELCase("int greater than", "3 > 2", .bool(true)),
    CELCase("int greater or equal", "1 >= 2", .bool(false)),
    CELCase("int against double ordering", "1 < 1.5", .bool(true)),
    CELCase("double against int ordering", "2.5 > 2", .bool(true)),
    CELCase("string ordering", "'abc' < 'abd'", .bool(true)),
    CELCase("string prefix orders first", "'ab' < 'abc'", .bool(true)),
    CELCase("bool ordering", "false < true", .bool(true)),
    CELCase("NaN never ordered", "0.0 / 0.0 < 1.0", .bool(false)),
    CELCase("NaN unequal to itself", "0.0 / 0.0 == 0.0 / 0.0", .bool(false)),
    CELCase(
        "string against int ordering", "'a' < 1",
        error: "no matching overload for '<' with string and int", column: 5),
    CELCase(
        "null ordering", "null > 1", error: "no matching overload for '>' with null_type and int"
    ),
    CELCase(
        "list ordering", "[1] <= [2]", error: "no matching overload for '<=' with list and list"),
]

let logicCases: [CELCase] = [
    CELCase("and true", "true && true", .bool(true)),
    CELCase("and false", "true && false", .bool(false)),
    CELCase("or true", "false || true", .bool(true)),
    CELCase("or false", "false || false", .bool(false)),
    CELCase("not", "!true", .bool(false)),
    CELCase("double not", "!!true", .bool(true)),
    CELCase("and binds tighter than or", "true || false && false", .bool(true)),
    CELCase("false and error is false", "false && 1 / 0 == 1", .bool(false)),
    CELCase("error and false is false", "1 / 0 == 1 && false", .bool(false)),
    CELCase("true or error is true", "true || desired.missing", .bool(true)),
    CELCase("error or true is true", "desired.missing || true", .bool(true)),
    CELCase("error and true is error", "desired.missing && true", error: "no such key: 'missing'"),
    CELCase("true and error is error", "true && desired.missing", error: "no such key: 'missing'"),
    CELCase(
        "and with non bool", "true && 1", error: "no matching overload for '&&' with bool and int"
    ),
    CELCase(
        "or with non bool", "'a' || false",
        error: "no matching overload for '||' with string and bool"),
    CELCase("not of int", "!1", error: "no matching overload for '!' with int"),
    CELCase("ternary true branch", "true ? 1 : 2", .int(1)),
    CELCase("ternary false branch", "false ? 1 : 2", .int(2)),
    CELCase("ternary skips error branch", "true ? 1 : 1 / 0", .int(1)),
    CELCase("nested ternary", "false ? 1 : true ? 2 : 3", .int(2)),
    CELCase("ternary in condition", "(1 < 2 ? 'a' : 'b') == 'a'", .bool(true)),
    CELCase(
        "ternary with int condition", "1 ? 2 : 3", error: "no matching overload for '?:' with int",
        column: 3),
]

let accessCases: [CELCase] = [
    CELCase("field access", "desired.username", .string("alice")),
    CELCase("nested field access", "desired.nested.inner.value", .int(1)),
    CELCase("index access", "desired['username']", .string("alice")),
    CELCase("mixed access", "desired['nested'].inner['value']", .int(1)),
    CELCase("null member", "desired.nothing", .null),
    CELCase("list index", "numbers[1]", .int(2)),
    CELCase("list index by whole double", "numbers[2.0]", .int(3)),
    CELCase("has present", "has(desired.username)", .bool(true)),
    CELCase("has absent", "has(desired.password)", .bool(false)),
    CELCase("has null member", "has(desired.nothing)", .bool(true)),
    CELCase("has nested", "has(desired.nested.inner)", .bool(true)),
    CELCase("has on literal map", "has({'a': 1}.a)", .bool(true)),
    CELCase(
        "missing key", "desired.password", error: "no such key: 'password'", column: 9),
    CELCase("missing index key", "desired['password']", error: "no such key: 'password'"),
    CELCase(
        "index out of range", "numbers[3]", error: "index 3 is out of range for a list of size 3",
        column: 8),
    CELCase(
        "negative index", "numbers[-1]", error: "index -1 is out of range for a list of size 3"),
    CELCase(
        "field of null", "desired.nothing.x",
        error: "cannot select field 'x' from a value of type null_type", column: 17),
    CELCase(
        "field of int", "desired.concurrent_max.x",
        error: "cannot select field 'x' from a value of type int"),
    CELCase(
        "has on null", "has(desired.nothing.x)",
        error: "has() cannot test field 'x' on a value of type null_type"),
    CELCase(
        "index of string", "'abc'[0]", error: "no matching overload for '[]' with string and int"),
    CELCase(
        "undeclared variable", "unknown + 1", error: "undeclared reference to 'unknown'",
        column: 1),
    CELCase(
        "fractional list index", "numbers[0.5]", error: "index 0.5 is not a whole number"),
    CELCase("map with int key", "{1: 'a'}", error: "map keys must be strings, not int"),
    CELCase("map with duplicate key", "{'a': 1, 'a': 2}", error: "duplicate map key 'a'"),
]

let containmentCases: [CELCase] = [
    CELCase("in list", "2 in numbers", .bool(true)),
    CELCase("not in list", "5 in numbers", .bool(false)),
    CELCase("in list across number types", "2.0 in numbers", .bool(true)),
    CELCase("string in list", "'anonymous' in desired.block_in_list", .bool(true)),
    CELCase("in empty list", "1 in empty", .bool(false)),
    CELCase("key in map", "'username' in desired", .bool(true)),
    CELCase("missing key in map", "'password' in desired", .bool(false)),
    CELCase("int in map", "1 in {'a': 1}", .bool(false)),
    CELCase("negated in", "!('x' in ['a'])", .bool(true)),
    CELCase(
        "in string", "'a' in 'abc'", error: "no matching overload for 'in' with string and string"
    ),
]

let functionCases: [CELCase] = [
    CELCase("size of string", "size('abc')", .int(3)),
    CELCase("size of list", "size(numbers)", .int(3)),
    CELCase("size of map", "size(desired.nested)", .int(1)),
    CELCase("size method", "numbers.size()", .int(3)),
    CELCase("size of empty string", "''.size()", .int(0)),
    CELCase("size of int", "size(1)", error: "no matching overload for 'size' with int"),
    CELCase("startsWith true", "'sip:123'.startsWith('sip:')", .bool(true)),
    CELCase("startsWith false", "'123'.startsWith('sip:')", .bool(false)),
    CELCase("startsWith empty", "'abc'.startsWith('')", .bool(true)),
    CELCase("endsWith true", "'alice@example.net'.endsWith('.net')", .bool(true)),
    CELCase("endsWith false", "'alice'.endsWith('bob')", .bool(false)),
    CELCase("contains true", "'hello world'.contains('o w')", .bool(true)),
    CELCase("contains false", "'hello'.contains('z')", .bool(false)),
    CELCase("contains empty", "'hello'.contains('')", .bool(true)),
    CELCase("matches partial", "'abc123'.matches('[0-9]+')", .bool(true)),
    CELCase("matches anchored", "'abc123'.matches('^[0-9]+$')", .bool(false)),
    CELCase("matches global form", "matches('0900123', '^0900')", .bool(true)),
    CELCase("matches dynamic pattern", "'4390012'.matches('^' + params.prefixes[0])", .bool(true)),
    CELCase("lowerAscii", "'AbC-É'.lowerAscii()", .string("abc-É")),
    CELCase("upperAscii", "'abc-é'.upperAscii()", .string("ABC-é")),
    CELCase(
        "startsWith with int", "'a'.startsWith(1)",
        error: "no matching overload for 'startsWith' with string and int"),
    CELCase(
        "contains on list", "numbers.contains(1)",
        error: "no matching overload for 'contains' with list and int"),
    CELCase("int of string", "int('42')", .int(42)),
    CELCase("int of negative string", "int('-42')", .int(-42)),
    CELCase("int of double truncates", "int(2.9)", .int(2)),
    CELCase("int of negative double truncates", "int(-2.9)", .int(-2)),
    CELCase("int of int", "int(7)", .int(7)),
    CELCase("int of bad string", "int('4x')", error: "cannot convert '4x' to int", column: 1),
    CELCase("int of huge double", "int(1e19)", error: "1e+19 is out of the int range"),
    CELCase("int of bool", "int(true)", error: "no matching overload for 'int' with bool"),
    CELCase("double of int", "double(3)", .double(3)),
    CELCase("double of string", "double('2.5')", .double(2.5)),
    CELCase("double of bad string", "double('x')", error: "cannot convert 'x' to double"),
    CELCase("string of int", "string(42)", .string("42")),
    CELCase("string of double", "string(2.5)", .string("2.5")),
    CELCase("string of bool", "string(true)", .string("true")),
    CELCase("string of string", "string('x')", .string("x")),
    CELCase("string of list", "string([1])", error: "no matching overload for 'string' with list"),
    CELCase("bool of string", "bool('true')", .bool(true)),
    CELCase("bool of bad string", "bool('yes')", error: "cannot convert 'yes' to bool"),
    CELCase("type of int", "type(1) == int", .bool(true)),
    CELCase("type of map", "type(desired) == map", .bool(true)),
    CELCase("type of null", "type(null) == null_type", .bool(true)),
    CELCase("type of string is not int", "type('a') == int", .bool(false)),
    CELCase("type of type", "type(int) == type", .bool(true)),
    CELCase("dyn passes value", "dyn(1) + 1", .int(2)),
    CELCase("conversion chain", "string(int('7') + 1) + '!'", .string("8!")),
]

let macroCases: [CELCase] = [
    CELCase("method after macro", "numbers.map(n, n * 2).size()", .int(3)),
    CELCase(
        "nested macro sees outer variable", "[1, 2].map(a, [10].map(b, a + b))",
        .list([.list([.int(11)]), .list([.int(12)])])),
    CELCase("exists_one over map keys", "{'a': 1, 'b': 2}.exists_one(k, k == 'b')", .bool(true)),
    CELCase("all over empty map", "{}.all(k, false)", .bool(true)),

    CELCase("all true", "numbers.all(n, n > 0)", .bool(true)),
    CELCase("all false", "numbers.all(n, n > 1)", .bool(false)),
    CELCase("all on empty", "empty.all(n, false)", .bool(true)),
    CELCase("exists true", "numbers.exists(n, n == 2)", .bool(true)),
    CELCase("exists false", "numbers.exists(n, n == 5)", .bool(false)),
    CELCase("exists on empty", "empty.exists(n, true)", .bool(false)),
    CELCase("exists_one true", "numbers.exists_one(n, n > 2)", .bool(true)),
    CELCase("exists_one false on two", "numbers.exists_one(n, n > 1)", .bool(false)),
    CELCase("filter", "numbers.filter(n, n % 2 == 1)", .list([.int(1), .int(3)])),
    CELCase("map", "numbers.map(n, n * 10)", .list([.int(10), .int(20), .int(30)])),
    CELCase("map with filter", "numbers.map(n, n > 1, n * n)", .list([.int(4), .int(9)])),
    CELCase("exists over map keys", "desired.exists(k, k == 'lock')", .bool(true)),
    CELCase(
        "filter over map keys", "{'b': 1, 'a': 2}.filter(k, true)",
        .list([.string("a"), .string("b")])),
    CELCase("nested macros", "[[1, 2], [3]].all(l, l.exists(n, n > 0))", .bool(true)),
    CELCase("macro shadows variable", "numbers.exists(desired, desired == 3)", .bool(true)),
    CELCase(
        "macro variable leaves scope", "numbers.all(x, x > 0) && size(numbers) == 3", .bool(true)),
    CELCase("all with error but a false", "[0, 1].all(n, 10 / n < 5)", .bool(false)),
    CELCase("exists with error but a true", "[0, 1].exists(n, 10 / n == 10)", .bool(true)),
    CELCase("all with only errors", "[0].all(n, 10 / n > 5)", error: "division by zero"),
    CELCase(
        "exists with non bool", "numbers.exists(n, n)",
        error: "no matching overload for 'exists' with int"),
    CELCase(
        "filter with non bool", "numbers.filter(n, 1)",
        error: "macro condition must be bool, not int"),
    CELCase(
        "exists_one propagates errors", "[0].exists_one(n, 1 / n == 1)", error: "division by zero"),
    CELCase("macro on int", "(1).all(n, true)", error: "no matching overload for 'all' with int"),
    CELCase(
        "count with filter and size", "size(params.prefixes.filter(p, p.startsWith('4393')))",
        .int(1)),
    CELCase(
        "prefix search", "params.prefixes.exists(p, e164(destination).startsWith(p))",
        .bool(true)),
]

let extensionCases: [CELCase] = [
    CELCase(
        "split", "'a,b,,c'.split(',')",
        .list([.string("a"), .string("b"), .string(""), .string("c")])),
    CELCase("split into code points", "'hé'.split('')", .list([.string("h"), .string("é")])),
    CELCase("join with separator", "['a', 'b'].join('-')", .string("a-b")),
    CELCase("join without separator", "['a', 'b'].join()", .string("ab")),
    CELCase("join of ints", "[1, 2].join(',')", error: "join() needs a list of strings, found int"),
    CELCase("trim", "'  sip:1 \\n'.trim()", .string("sip:1")),
    CELCase("replace", "'0043-1'.replace('-', '')", .string("00431")),
    CELCase("substring from start", "'sip:123'.substring(4)", .string("123")),
    CELCase("substring range", "'héllo'.substring(1, 3)", .string("él")),
    CELCase(
        "substring out of bounds", "'abc'.substring(2, 5)",
        error: "substring range 2..<5 is out of bounds for a string of length 3"),
    CELCase("indexOf found", "'sip:123@x'.indexOf('@')", .int(7)),
    CELCase("indexOf missing", "'abc'.indexOf('z')", .int(-1)),
    CELCase("user part via split", "'sip:123@x'.split('@')[0].substring(4)", .string("123")),

    CELCase(
        "flatten one level", "[[1], [2, [3]], 4].flatten()",
        .list([.int(1), .int(2), .list([.int(3)]), .int(4)])),
    CELCase("flatten empty", "[].flatten()", .list([])),
    CELCase(
        "flatten on string", "'a'.flatten()",
        error: "no matching overload for 'flatten' with string"),

    CELCase("e164 of sip uri with plus", "e164('sip:+43900123@example.net')", .string("43900123")),
    CELCase(
        "e164 of sip uri plain digits", "e164('sip:43900123@example.net')", .string("43900123")),
    CELCase("e164 of double zero", "e164('0043900123')", .string("43900123")),
    CELCase("e164 of plus number", "e164('+43 900 123')", .string("43900123")),
    CELCase("e164 of national with country code", "e164('0900-123', '43')", .string("43900123")),
    CELCase("e164 of national with int country code", "e164('0900123', 43)", .string("43900123")),
    CELCase("e164 of national without country code", "e164('0900123')", .string("0900123")),
    CELCase("e164 of keyword", "e164('voicebox')", .string("")),
    CELCase(
        "e164 of sips uri with params", "e164('sips:+4930123;user=phone@x')", .string("4930123")),
    CELCase("e164 of tel uri", "e164('tel:+4930123')", .string("4930123")),
    CELCase("e164 drops bracketed trunk prefix", "e164('+43 (0) 732 1234')", .string("437321234")),
    CELCase(
        "e164 of sip uri with port", "e164('sip:0049301234@gw.example:5060')", .string("49301234")),
    CELCase("e164 of empty string", "e164('')", .string("")),
    CELCase(
        "e164 with bad country code", "e164('0900', 'AT')",
        error: "country code 'AT' must be digits only"),
]

let syntaxCases: [CELCase] = [
    CELCase(
        "missing operand", "1 +", error: "expected an expression but found end of expression",
        column: 4),
    CELCase(
        "unbalanced parenthesis", "(1 + 2", error: "expected ')' but found end of expression",
        column: 7),
    CELCase(
        "extra closing", "1 + 2)", error: "expected end of expression but found ')'", column: 6),
    CELCase(
        "single equals", "a = 1", error: "unexpected '='; use '==' to compare values", column: 3),
    CELCase(
        "single ampersand", "a & b", error: "unexpected '&'; use '&&' for logical and", column: 3),
    CELCase("single bar", "a | b", error: "unexpected '|'; use '||' for logical or", column: 3),
    CELCase("unterminated string", "'abc", error: "unterminated string literal", column: 1),
    CELCase("newline in string", "'a\nb'", error: "unterminated string literal"),
    CELCase("invalid escape", #"'\q'"#, error: #"invalid escape sequence '\q'"#, column: 2),
    CELCase("bytes literal", "b'abc'", error: "bytes literals are not supported"),
    CELCase("unsigned literal", "1u", error: "unsigned integer literals are not supported"),
    CELCase(
        "int literal too large", "9223372036854775808", error: "integer literal is out of range"),
    CELCase("unexpected character", "1 # 2", error: "unexpected character '#'", column: 3),
    CELCase("reserved word", "if", error: "'if' is a reserved word"),
    CELCase(
        "has without select", "has(desired)",
        error: "has() needs one field selection such as has(a.b)"),
    CELCase(
        "macro without variable", "numbers.all(1, true)",
        error: "the first argument of all() must be a variable name", column: 13),
    CELCase("macro arity", "numbers.exists(n)", error: "exists() takes 2 arguments, got 1"),
    CELCase("map macro arity", "numbers.map(n)", error: "map() takes 2 or 3 arguments, got 1"),
    CELCase(
        "unknown function", "sise(numbers)",
        error: "undeclared function 'sise'; did you mean 'size'?", column: 1),
    CELCase(
        "unknown method", "'a'.startswith('a')",
        error: "undeclared method 'startswith'; did you mean 'startsWith'?", column: 5),
    CELCase(
        "invalid literal regex", "'a'.matches('(')", error: "invalid regular expression '('",
        column: 13),
    CELCase(
        "dot without name", "desired.",
        error: "expected a field or method name after '.' but found end of expression"),
    CELCase("empty expression", "", error: "expected an expression but found end of expression"),
    CELCase("ternary without colon", "true ? 1", error: "expected ':' but found end of expression"),
    CELCase("map without colon", "{'a' 1}", error: "expected ':' but found number"),
]

@Suite struct CELEvaluationTests {
    static let allCases =
        literalCases + arithmeticCases + comparisonCases + logicCases + accessCases
        + containmentCases + functionCases + macroCases + extensionCases + syntaxCases

    @Test func tableIsLarge() {
        #expect(Self.allCases.count >= 150)
        #expect(Set(Self.allCases.map(\.id)).count == Self.allCases.count)
    }

    @Test(arguments: allCases)
    func evaluates(_ testCase: CELCase) {
        let outcome: Result<CELValue, CELError>
        do {
            let program = try CELProgram(testCase.expression)
            outcome = .success(try program.evaluate(celVariables))
        } catch {
            outcome = .failure(error)
        }

        switch (testCase.expected, outcome) {
        case (.value(let expected), .success(let actual)):
            #expect(CELValue.equal(actual, expected))
            #expect(actual.type == expected.type)
            #expect(actual.literal == expected.literal)
        case (.value(let expected), .failure(let error)):
            Issue.record("expected \(expected.literal), got error: \(error)")
        case (.error(let message), .failure(let error)):
            #expect(error.message == message)
        case (.errorAt(let message, let column), .failure(let error)):
            #expect(error.message == message)
            #expect(error.column == column)
        case (.error(let message), .success(let actual)),
            (.errorAt(let message, _), .success(let actual)):
            Issue.record("expected error '\(message)', got \(actual.literal)")
        }
    }
}
