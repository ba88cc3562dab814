import NIOCore

/// Finds the end of a `Transfer-Encoding: chunked` body byte by byte, so chunk boundaries may fall anywhere across
/// reads. Chunk data and trailers are skipped.
struct ChunkedBodyScanner {
    private enum State {
        case size(value: Int, digits: Int)
        case sizeExtension(value: Int)
        case sizeLineFeed(value: Int)
        case data(remaining: Int)
        case dataCarriageReturn
        case dataLineFeed
        /// At the start of a trailer line (or the final blank line) after the last chunk.
        case trailerLineStart
        case trailerLine
        case trailerLineFeed(blank: Bool)
    }

    private var state: State = .size(value: 0, digits: 0)

    /// Consumes bytes up to the end of the body; returns true once it ended (then `buffer` is left after it).
    mutating func consume(_ buffer: inout ByteBuffer) throws -> Bool {
        while buffer.readableBytes > 0 {
            if case .data(let remaining) = state {
                let take = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: take)
                state = take == remaining ? .dataCarriageReturn : .data(remaining: remaining - take)
                continue
            }
            guard let byte = buffer.readInteger(as: UInt8.self) else { break }
            if try step(byte) { return true }
        }
        return false
    }

    /// Advances by one byte outside chunk data; returns true when the body ended.
    private mutating func step(_ byte: UInt8) throws -> Bool {
        switch state {
        case .size(let value, let digits):
            if let digit = Self.hexValue(byte) {
                guard digits < 15 else { throw HTTP1ResponseParser.ParseError.malformedChunk }
                state = .size(value: value * 16 + digit, digits: digits + 1)
            } else if digits == 0 {
                throw HTTP1ResponseParser.ParseError.malformedChunk
            } else if byte == UInt8(ascii: "\r") {
                state = .sizeLineFeed(value: value)
            } else if byte == UInt8(ascii: "\n") {
                state = value == 0 ? .trailerLineStart : .data(remaining: value)
            } else {
                state = .sizeExtension(value: value)
            }
        case .sizeExtension(let value):
            if byte == UInt8(ascii: "\r") {
                state = .sizeLineFeed(value: value)
            } else if byte == UInt8(ascii: "\n") {
                state = value == 0 ? .trailerLineStart : .data(remaining: value)
            }
        case .sizeLineFeed(let value):
            guard byte == UInt8(ascii: "\n") else { throw HTTP1ResponseParser.ParseError.malformedChunk }
            state = value == 0 ? .trailerLineStart : .data(remaining: value)
        case .data:
            preconditionFailure("chunk data is skipped in bulk")
        case .dataCarriageReturn:
            if byte == UInt8(ascii: "\r") {
                state = .dataLineFeed
            } else if byte == UInt8(ascii: "\n") {
                state = .size(value: 0, digits: 0)
            } else {
                throw HTTP1ResponseParser.ParseError.malformedChunk
            }
        case .dataLineFeed:
            guard byte == UInt8(ascii: "\n") else { throw HTTP1ResponseParser.ParseError.malformedChunk }
            state = .size(value: 0, digits: 0)
        case .trailerLineStart:
            if byte == UInt8(ascii: "\r") {
                state = .trailerLineFeed(blank: true)
            } else if byte == UInt8(ascii: "\n") {
                return true
            } else {
                state = .trailerLine
            }
        case .trailerLine:
            if byte == UInt8(ascii: "\r") {
                state = .trailerLineFeed(blank: false)
            } else if byte == UInt8(ascii: "\n") {
                state = .trailerLineStart
            }
        case .trailerLineFeed(let blank):
            guard byte == UInt8(ascii: "\n") else { throw HTTP1ResponseParser.ParseError.malformedChunk }
            if blank { return true }
            state = .trailerLineStart
        }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
