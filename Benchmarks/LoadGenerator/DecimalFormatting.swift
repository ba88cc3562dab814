/// Fixed-point and JSON text for the report, without pulling in Foundation for `String(format:)`.
enum DecimalFormatting {
    /// `value` rounded to `digits` decimals, e.g. fixed(3.14159, 2) == "3.14". Non-finite values print as 0.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return digits > 0 ? "0." + String(repeating: "0", count: digits) : "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let units = UInt64(scaled)
        let factor = UInt64(scale)
        let sign = value < 0 && units > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(units) }
        let fraction = String(units % factor)
        return sign + String(units / factor) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// A JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
