import TrustGateJOSE
import XCTest

final class StrictJSONParserTests: XCTestCase {
    func testParsesAllValueKinds() throws {
        let value = try StrictJSONParser.parse(#" { "a": [1, -2.5e3, true, false, null], "b": "x\u00e9\ud83d\ude00\n" } "#)
        let object = try XCTUnwrap(value.objectValue)
        XCTAssertEqual(object.names, ["a", "b"])
        XCTAssertEqual(object["a"], [1, -2500.0, true, false, nil])
        XCTAssertEqual(object["b"], .string("xé😀\n"))
        XCTAssertEqual(object["a"]?.arrayValue?.first?.numberValue?.integerValue, 1)
    }

    func testRejectsDuplicateMemberNamesEvenWhenEscapedDifferently() {
        XCTAssertThrowsError(try StrictJSONParser.parse(#"{"alg":"RS256","alg":"none"}"#)) { error in
            XCTAssertEqual(error as? JSONParseError, .duplicateMember("alg"))
        }
        XCTAssertThrowsError(try StrictJSONParser.parse(#"{"alg":"RS256","\u0061lg":"none"}"#)) { error in
            XCTAssertEqual(error as? JSONParseError, .duplicateMember("alg"))
        }
        XCTAssertThrowsError(try StrictJSONParser.parse(#"{"x":{"a":1,"a":2}}"#))
    }

    func testRejectsWhatRFC8259Forbids() {
        let bad = [
            "", "{", #"{"a":1,}"#, "[1,]", "01", "1.", ".5", "+1", "-", "1e", "NaN", "Infinity", "1e400",
            #"{"a":1} x"#, #"{'a':1}"#, "\"a\u{01}\"", #""\x""#, #""\ud800""#, #""\udc00""#, "tru", "nul",
            #"{"a" 1}"#, "\u{FEFF}{}",
        ]
        for text in bad {
            XCTAssertThrowsError(try StrictJSONParser.parse(text), "\(text.debugDescription) should fail")
        }
    }

    func testRejectsInvalidUTF8() {
        XCTAssertThrowsError(try StrictJSONParser.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertEqual(error as? JSONParseError, .invalidUTF8)
        }
    }

    func testBoundsNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertThrowsError(try StrictJSONParser.parse(deep)) { error in
            XCTAssertEqual(error as? JSONParseError, .nestingTooDeep)
        }
        let fine = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        XCTAssertNoThrow(try StrictJSONParser.parse(fine))
    }

    func testEncoderSortsKeysAndEscapes() {
        let value: JSONValue = ["b": 1, "a": ["x\"\\\n\u{01}"], "c": 1.5]
        XCTAssertEqual(JSONTextEncoder.encode(value), #"{"a":["x\"\\\n\u0001"],"b":1,"c":1.5}"#)
        XCTAssertEqual(try StrictJSONParser.parse(JSONTextEncoder.encode(value)), value)
    }

    func testNumbersKeepTheirText() throws {
        let value = try StrictJSONParser.parse("[1795420877.86, 1700000000, 1E2]")
        let numbers = try XCTUnwrap(value.arrayValue).compactMap(\.numberValue)
        XCTAssertEqual(numbers.map(\.text), ["1795420877.86", "1700000000", "1E2"])
        XCTAssertEqual(numbers.map(\.integerValue), [nil, 1_700_000_000, nil])
        XCTAssertEqual(numbers[0].doubleValue, 1795420877.86, accuracy: 0.001)
    }
}
