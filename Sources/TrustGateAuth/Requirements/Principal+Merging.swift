extension Principal {
    /// The principal of an `all_of` requirement: this one's name, both proofs' methods and schemes in order,
    /// roles and scopes united, the first certificate identity and token kept.
    func merged(with other: Principal) -> Principal {
        var result = self
        result.methods += other.methods
        result.schemes += other.schemes
        for role in other.roles where !result.roles.contains(role) { result.roles.append(role) }
        for scope in other.scopes where !result.scopes.contains(scope) { result.scopes.append(scope) }
        if result.certificate == nil { result.certificate = other.certificate }
        if result.token == nil { result.token = other.token }
        return result
    }
}
