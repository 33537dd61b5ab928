import Testing

/// The error `body` throws, as `E`; nil, with an issue recorded, when it
/// throws nothing or something else. What `#expect(throws:)` returns since
/// Swift 6.1; Swift 6.0's (Debian 13's toolchain) returns nothing.
func caughtError<E: Error, T>(_ type: E.Type, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> E? {
    do {
        _ = try body()
        Issue.record("expected \(E.self) to be thrown; nothing was", sourceLocation: sourceLocation)
        return nil
    } catch let error as E {
        return error
    } catch {
        Issue.record("expected \(E.self), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
