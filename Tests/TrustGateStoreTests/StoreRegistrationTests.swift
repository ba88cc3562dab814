import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateX509
import XCTest

@testable import TrustGateStore

/// Resources, clients, secrets and grants through the protocol, on a real SQLite file.
final class StoreRegistrationTests: XCTestCase {
    func testResourcesAddListShowUpdateRemove() async throws {
        let (store, _) = try makeStore(self)
        let loyalty = try Resource(
            identifier: "api://loyalty", name: "Loyalty", appRoles: ["Loyalty.Write", "Loyalty.Read"], tokenProfile: .entra,
            accessTokenLifetime: try TokenLifetime(seconds: 900))
        try await store.addResource(loyalty)
        try await store.addResource(try Resource(identifier: "https://billing.example.com", name: "Billing", appRoles: []))

        let listed = try await store.resources()
        XCTAssertEqual(listed.map(\.identifier), ["api://loyalty", "https://billing.example.com"])
        let shownOptional = try await store.resource(identifier: "api://loyalty")
        let shown = try XCTUnwrap(shownOptional)
        XCTAssertEqual(shown.appRoles, ["Loyalty.Write", "Loyalty.Read"], "declared order is kept")
        XCTAssertEqual(shown.tokenProfile, .entra)
        XCTAssertEqual(shown.accessTokenLifetime?.seconds, 900)
        XCTAssertEqual(shown.defaultScope, "api://loyalty/.default")

        let duplicate = await asyncError { try await store.addResource(loyalty) }
        XCTAssertEqual(duplicate as? RegistrationStoreError, .resourceAlreadyExists("api://loyalty"))

        var renamed = shown
        renamed.name = "Loyalty API"
        renamed.appRoles = ["Loyalty.Read", "Loyalty.Admin"]
        try await store.updateResource(renamed)
        let updated = try await store.resource(identifier: "api://loyalty")
        XCTAssertEqual(updated?.name, "Loyalty API")
        XCTAssertEqual(updated?.appRoles, ["Loyalty.Read", "Loyalty.Admin"])

        try await store.removeResource(identifier: "https://billing.example.com")
        let missing = await asyncError { try await store.removeResource(identifier: "https://billing.example.com") }
        XCTAssertEqual(missing as? RegistrationStoreError, .unknownResource("https://billing.example.com"))
        let remaining = try await store.resources()
        XCTAssertEqual(remaining.count, 1)
    }

    func testResourceAndClientValuesAreChecked() throws {
        XCTAssertThrowsError(try Resource(identifier: "loyalty", name: "x", appRoles: []))
        XCTAssertThrowsError(try Resource(identifier: "api://loyalty#frag", name: "x", appRoles: []))
        XCTAssertThrowsError(try Resource(identifier: "api://loyalty/.default", name: "x", appRoles: []))
        XCTAssertThrowsError(try Resource(identifier: "api://loyalty", name: "x", appRoles: ["read", "read"]))
        XCTAssertThrowsError(try Resource(identifier: "api://loyalty", name: "x", appRoles: ["has space"]))
        XCTAssertNoThrow(try Resource(identifier: "8d2f1c3e-1111-4a5b-9c7d-000000000001", name: "Entra-style", appRoles: []))

        XCTAssertThrowsError(try TokenLifetime(seconds: 59))
        XCTAssertThrowsError(try TokenLifetime(seconds: 86_401))
        XCTAssertEqual(try TokenLifetime(seconds: 86_400).description, "1d")
        XCTAssertThrowsError(try Client(name: "x", authenticationMethods: []))
        XCTAssertThrowsError(try Client(id: "with space", name: "x", authenticationMethods: [.privateKeyJWT]))
        XCTAssertThrowsError(try Client(name: "x", authenticationMethods: [.privateKeyJWT], assertionSigningAlgorithm: .hs256))
        let generated = try Client(name: "generated", authenticationMethods: [.clientSecretBasic])
        XCTAssertNotNil(UUID(uuidString: generated.id), "without an id, client_id is a UUID")
        XCTAssertEqual(generated.tokenLifetime.seconds, 3600)
    }

    func testClientsAddUpdateRemoveWithTypedErrors() async throws {
        let (store, _) = try makeStore(self)
        let client = try Client(
            id: "billing", name: "Billing", authenticationMethods: [.privateKeyJWT, .tlsClientAuth],
            tokenLifetime: try TokenLifetime(seconds: 600), allowAssertionReuse: true, certificateBoundAccessTokens: true,
            assertionSigningAlgorithm: .ps256)
        try await store.addClient(client)
        let loadedOptional = try await store.client(id: "billing")
        let loaded = try XCTUnwrap(loadedOptional)
        XCTAssertEqual(loaded.authenticationMethods, [.privateKeyJWT, .tlsClientAuth])
        XCTAssertEqual(loaded.objectID, client.objectID)
        XCTAssertEqual(loaded.tokenLifetime.seconds, 600)
        XCTAssertTrue(loaded.allowAssertionReuse)
        XCTAssertTrue(loaded.certificateBoundAccessTokens)
        XCTAssertEqual(loaded.assertionSigningAlgorithm, .ps256)

        let duplicate = await asyncError { try await store.addClient(try makeClient("billing")) }
        XCTAssertEqual(duplicate as? RegistrationStoreError, .clientAlreadyExists("billing"))

        var disabled = loaded
        disabled.enabled = false
        disabled.objectID = UUID()
        try await store.updateClient(disabled)
        let reloaded = try await store.client(id: "billing")
        XCTAssertEqual(reloaded?.enabled, false)
        XCTAssertEqual(reloaded?.objectID, client.objectID, "the object id never changes")

        var invalid = loaded
        invalid.authenticationMethods = []
        let refused = await asyncError { try await store.updateClient(invalid) }
        guard (refused as? RegistrationStoreError)?.code == .invalidValue else { return XCTFail("\(String(describing: refused))") }

        let unknown = await asyncError { try await store.updateClient(try makeClient("nobody")) }
        XCTAssertEqual(unknown as? RegistrationStoreError, .unknownClient("nobody"))

        try await store.removeClient(id: "billing")
        let gone = try await store.client(id: "billing")
        XCTAssertNil(gone)
        let again = await asyncError { try await store.removeClient(id: "billing") }
        XCTAssertEqual(again as? RegistrationStoreError, .unknownClient("billing"))
    }

    func testSecretsAreStoredAsSlowHashesOnly() async throws {
        let (store, path) = try makeStore(self)
        try await store.addClient(try makeClient("billing", methods: [.clientSecretBasic]))
        let generated = try ClientSecret.generate(
            for: "billing", expiresAt: Date().addingTimeInterval(86_400), hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        XCTAssertEqual(generated.value.count, 43, "32 random bytes, base64url")
        XCTAssertNotNil(Base64URL.decode(generated.value))
        XCTAssertEqual(generated.record.hint, String(generated.value.prefix(3)))
        try await store.addSecret(generated.record)

        let secrets = try await store.secrets(clientID: "billing")
        XCTAssertEqual(secrets.count, 1)
        let stored = try XCTUnwrap(secrets.first)
        XCTAssertTrue(stored.hash.isSlow)
        XCTAssertTrue(stored.verify(generated.value))
        XCTAssertFalse(stored.verify(generated.value + "x"))
        XCTAssertFalse(stored.verify(generated.value, at: Date().addingTimeInterval(2 * 86_400)), "expired")
        XCTAssertFalse(storeFileBytes(path).containsSequence(Array(generated.value.utf8)), "the secret is not in the store")

        let orphan = try ClientSecret.generate(for: "nobody", hashAlgorithm: .pbkdf2SHA256(iterations: 100_000))
        let unknown = await asyncError { try await store.addSecret(orphan.record) }
        XCTAssertEqual(unknown as? RegistrationStoreError, .unknownClient("nobody"))

        try await store.removeSecret(clientID: "billing", secretID: stored.id)
        let afterRemoval = try await store.secrets(clientID: "billing")
        XCTAssertTrue(afterRemoval.isEmpty)
    }

    func testGrantsAreLimitedToTheResourcesRoles() async throws {
        let (store, _) = try makeStore(self)
        try await store.addResource(try Resource(identifier: "api://loyalty", name: "Loyalty", appRoles: ["read", "write", "admin"]))
        try await store.addResource(try Resource(identifier: "api://other", name: "Other", appRoles: ["other"]))
        try await store.addClient(try makeClient("billing"))

        let granted = try await store.grantRoles(clientID: "billing", resource: "api://loyalty", roles: ["write", "read"])
        XCTAssertEqual(granted.roles, ["read", "write"])
        let again = try await store.grantRoles(clientID: "billing", resource: "api://loyalty", roles: ["read"])
        XCTAssertEqual(again.roles, ["read", "write"], "granting twice is idempotent")

        let foreignRole = await asyncError { try await store.grantRoles(clientID: "billing", resource: "api://loyalty", roles: ["other"]) }
        XCTAssertEqual(foreignRole as? RegistrationStoreError, .unknownRole(role: "other", resource: "api://loyalty"))
        let unknownResource = await asyncError { try await store.grantRoles(clientID: "billing", resource: "api://nope", roles: ["read"]) }
        XCTAssertEqual(unknownResource as? RegistrationStoreError, .unknownResource("api://nope"))
        let unknownClient = await asyncError { try await store.grantRoles(clientID: "nobody", resource: "api://loyalty", roles: ["read"]) }
        XCTAssertEqual(unknownClient as? RegistrationStoreError, .unknownClient("nobody"))
        let rolesAfterFailures = try await store.grantedRoles(clientID: "billing", resource: "api://loyalty")
        XCTAssertEqual(rolesAfterFailures, ["read", "write"], "a refused grant changes nothing")

        try await store.grantRoles(clientID: "billing", resource: "api://other", roles: ["other"])
        let registrationOptional = try await store.registration(clientID: "billing")
        let registration = try XCTUnwrap(registrationOptional)
        XCTAssertEqual(registration.grants.map(\.resource), ["api://loyalty", "api://other"])
        XCTAssertEqual(registration.roles(on: "api://other"), ["other"])

        // Dropping a role from the resource drops it from every grant.
        let loyaltyOptional = try await store.resource(identifier: "api://loyalty")
        var loyalty = try XCTUnwrap(loyaltyOptional)
        loyalty.appRoles = ["read", "admin"]
        try await store.updateResource(loyalty)
        let afterRoleRemoval = try await store.grantedRoles(clientID: "billing", resource: "api://loyalty")
        XCTAssertEqual(afterRoleRemoval, ["read"])

        let remaining = try await store.revokeRoles(clientID: "billing", resource: "api://loyalty", roles: ["read"])
        XCTAssertNil(remaining)
        let revokeUnknownRole = await asyncError { _ = try await store.revokeRoles(clientID: "billing", resource: "api://other", roles: ["nope"]) }
        XCTAssertEqual(revokeUnknownRole as? RegistrationStoreError, .unknownRole(role: "nope", resource: "api://other"))
        try await store.revokeRoles(clientID: "billing", resource: "api://other", roles: nil)
        let grants = try await store.grants(clientID: "billing")
        XCTAssertTrue(grants.isEmpty)

        // Removing the resource removes grants on it.
        try await store.grantRoles(clientID: "billing", resource: "api://other", roles: ["other"])
        try await store.removeResource(identifier: "api://other")
        let afterResourceRemoval = try await store.grants(clientID: "billing")
        XCTAssertTrue(afterResourceRemoval.isEmpty)
    }

    func testRemovingAClientRemovesEverythingRegisteredForIt() async throws {
        let (store, _) = try makeStore(self)
        let pki = try TestPKI(directory: try makeTemporaryDirectory(self))
        try await store.addResource(try Resource(identifier: "api://loyalty", name: "Loyalty", appRoles: ["read"]))
        try await store.addClient(try makeClient("billing"))
        try await store.grantRoles(clientID: "billing", resource: "api://loyalty", roles: ["read"])
        try await store.addSecret(try ClientSecret.generate(for: "billing", hashAlgorithm: .sha256).record)
        let issued = try pki.issueClient(subject: "CN=billing")
        let certificate = try ClientCertificate(clientID: "billing", derBytes: issued.certificate.derBytes)
        try await store.addCertificate(certificate)
        try await store.addSubjectIssuerRule(
            try SubjectIssuerRule(
                clientID: "billing", trustAnchors: [pki.root], subject: try SubjectIssuerRule.parseSubject("CN=billing"),
                alternativeNames: SubjectAlternativeNameMatchers()))
        let recorded = try await store.recordAssertionID(clientID: "billing", jti: "j1", expiresAt: Date().addingTimeInterval(600))
        XCTAssertTrue(recorded)

        try await store.removeClient(id: "billing")
        try await store.addClient(try makeClient("billing"))
        let registrationOptional = try await store.registration(clientID: "billing")
        let registration = try XCTUnwrap(registrationOptional)
        XCTAssertTrue(registration.secrets.isEmpty)
        XCTAssertTrue(registration.certificates.isEmpty)
        XCTAssertTrue(registration.subjectIssuerRules.isEmpty)
        XCTAssertTrue(registration.grants.isEmpty)
        let lookup = try await store.clientCertificate(matching: .sha256(certificate.sha256))
        XCTAssertNil(lookup, "the old certificate no longer finds the re-registered client")
        let replayFresh = try await store.recordAssertionID(clientID: "billing", jti: "j1", expiresAt: Date().addingTimeInterval(600))
        XCTAssertTrue(replayFresh, "a re-registered client does not inherit replay records")
    }

    func testAuditLogKeepsCodesNotSecrets() async throws {
        let (store, _) = try makeStore(self)
        try await store.appendAuditEvent(
            try AuditEvent(clientID: "billing", method: .privateKeyJWT, outcome: .issued, resource: "api://loyalty"))
        try await store.appendAuditEvent(
            try AuditEvent(clientID: "billing", method: .privateKeyJWT, outcome: .refused, reason: "invalid_client.replayed_jti"))
        try await store.appendAuditEvent(try AuditEvent(clientID: "other", method: .clientSecretBasic, outcome: .refused, reason: "invalid_client"))

        let latest = try await store.latestAuditEvents(limit: 2, clientID: nil)
        XCTAssertEqual(latest.map(\.clientID), ["other", "billing"], "newest first")
        XCTAssertEqual(latest.last?.reason, "invalid_client.replayed_jti")
        let forBilling = try await store.latestAuditEvents(limit: 10, clientID: "billing")
        XCTAssertEqual(forBilling.map(\.outcome), [.refused, .issued])
        XCTAssertEqual(forBilling.last?.resource, "api://loyalty")
        XCTAssertEqual(forBilling.last?.method, .privateKeyJWT)

        XCTAssertThrowsError(try AuditEvent(clientID: "x", method: nil, outcome: .refused, reason: "client secret was hunter2"))
        let pruned = try await store.pruneAuditEvents(before: Date().addingTimeInterval(60))
        XCTAssertEqual(pruned, 3)
    }
}
