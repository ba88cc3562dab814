import Foundation
import TrustGateAuth
import TrustGateX509
import XCTest

@testable import TrustGateStore

/// `trustgate resource|client|keys` as users run them: the built binary, its output, JSON and exit codes.
final class StoreCommandTests: XCTestCase {
    /// Found as GatewayCommandTests finds it: next to the test bundle, or in .build/debug.
    static func trustgateBinary() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("trustgate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw XCTSkip("the trustgate executable was not found; build it with `swift build`")
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String

        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        }

        func object() throws -> [String: Any] {
            try XCTUnwrap(try json() as? [String: Any], stdout)
        }
    }

    private var storePath = ""
    private var directory = URL(fileURLWithPath: "/")

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
        storePath = directory.appendingPathComponent("cli.db").path
    }

    /// Runs `trustgate ARGS --store <test store>` (unless the arguments name a store) with a clean environment.
    private func trustgate(_ arguments: [String], environment: [String: String] = [:], useStore: Bool = true) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.trustgateBinary())
        process.arguments = arguments + (useStore ? ["--store", storePath] : [])
        var base = ProcessInfo.processInfo.environment
        base["TRUSTGATE_STORE"] = nil
        base["TRUSTGATE_STORE_KEY"] = nil
        process.environment = base.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func testResourceAndClientLifecycleWithJSONAndExitCodes() throws {
        let added = try trustgate(["resource", "add", "api://loyalty", "--name", "Loyalty", "--role", "read", "--role", "write", "--profile", "entra", "--json"])
        XCTAssertEqual(added.status, 0, added.stderr)
        let resource = try added.object()
        XCTAssertEqual(resource["identifier"] as? String, "api://loyalty")
        XCTAssertEqual(resource["app_roles"] as? [String], ["read", "write"])
        XCTAssertEqual(resource["token_profile"] as? String, "entra")
        XCTAssertEqual(resource["default_scope"] as? String, "api://loyalty/.default")

        let duplicate = try trustgate(["resource", "add", "api://loyalty", "--name", "Again", "--role", "read"])
        XCTAssertEqual(duplicate.status, 1)
        XCTAssertTrue(duplicate.stderr.contains("already exists"), duplicate.stderr)
        let badIdentifier = try trustgate(["resource", "add", "loyalty", "--name", "Bad"])
        XCTAssertEqual(badIdentifier.status, 2, "a bad value is an input error")
        XCTAssertTrue(badIdentifier.stderr.contains("resource identifier"), badIdentifier.stderr)

        let listed = try trustgate(["resource", "list", "--json"])
        XCTAssertEqual((try listed.json() as? [[String: Any]])?.map { $0["identifier"] as? String }, ["api://loyalty"])
        let shown = try trustgate(["resource", "show", "api://loyalty"])
        XCTAssertEqual(shown.status, 0)
        XCTAssertTrue(shown.stdout.contains("read, write"), shown.stdout)

        let client = try trustgate([
            "client", "add", "--name", "Billing", "--method", "private_key_jwt", "--method", "client_secret_basic",
            "--token-lifetime", "15m", "--allow-assertion-reuse", "--json",
        ])
        XCTAssertEqual(client.status, 0, client.stderr)
        let clientObject = try client.object()
        let clientID = try XCTUnwrap(clientObject["client_id"] as? String)
        XCTAssertNotNil(UUID(uuidString: clientID), "a generated client_id is a UUID")
        XCTAssertEqual(clientObject["authentication_methods"] as? [String], ["client_secret_basic", "private_key_jwt"])
        XCTAssertEqual(clientObject["token_lifetime"] as? Int, 900)
        XCTAssertEqual(clientObject["allow_assertion_reuse"] as? Bool, true)

        let named = try trustgate(["client", "add", "--id", "payroll", "--name", "Payroll", "--method", "tls_client_auth"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(try trustgate(["client", "add", "--id", "payroll", "--name", "Again", "--method", "tls_client_auth"]).status, 1)
        XCTAssertEqual(try trustgate(["client", "add", "--name", "No method"]).status, 2, "usage error")
        XCTAssertEqual(try trustgate(["client", "add", "--name", "x", "--method", "password"]).status, 2)
        let tooLong = try trustgate(["client", "add", "--name", "x", "--method", "private_key_jwt", "--token-lifetime", "2d"])
        XCTAssertEqual(tooLong.status, 2)
        XCTAssertTrue(tooLong.stderr.contains("token lifetime"), tooLong.stderr)

        let grant = try trustgate(["client", "grant", clientID, "--resource", "api://loyalty", "--role", "read", "--json"])
        XCTAssertEqual(grant.status, 0, grant.stderr)
        XCTAssertEqual(try grant.object()["roles"] as? [String], ["read"])
        let unknownRole = try trustgate(["client", "grant", clientID, "--resource", "api://loyalty", "--role", "admin"])
        XCTAssertEqual(unknownRole.status, 1)
        XCTAssertEqual(unknownRole.stderr, "trustgate: 'admin' is not an app role of resource 'api://loyalty'\n")
        let unknownClient = try trustgate(["client", "grant", "nobody", "--resource", "api://loyalty", "--role", "read"])
        XCTAssertEqual(unknownClient.status, 1)
        XCTAssertEqual(unknownClient.stderr, "trustgate: no client 'nobody'\n")

        let show = try trustgate(["client", "show", clientID, "--json"])
        XCTAssertEqual(show.status, 0, show.stderr)
        let registration = try show.object()
        let grants = try XCTUnwrap(registration["grants"] as? [[String: Any]])
        XCTAssertEqual(grants.first?["resource"] as? String, "api://loyalty")
        XCTAssertEqual((registration["client"] as? [String: Any])?["name"] as? String, "Billing")

        let revoked = try trustgate(["client", "revoke-grant", clientID, "--resource", "api://loyalty", "--json"])
        XCTAssertEqual(revoked.status, 0, revoked.stderr)
        XCTAssertEqual(try revoked.object()["roles"] as? [String], [])

        let list = try trustgate(["client", "list", "--json"])
        XCTAssertEqual((try list.json() as? [[String: Any]])?.count, 2)
        XCTAssertEqual(try trustgate(["client", "remove", "payroll"]).status, 0)
        let removedAgain = try trustgate(["client", "remove", "payroll"])
        XCTAssertEqual(removedAgain.status, 1)
        XCTAssertEqual(try trustgate(["client", "show", "payroll"]).status, 1)
    }

    func testReadCommandsDoNotCreateAStoreAndTheEnvironmentNamesIt() throws {
        let missing = try trustgate(["client", "list"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no store at"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: storePath))

        let viaEnvironment = try trustgate(
            ["client", "add", "--id", "env", "--name", "From env", "--method", "private_key_jwt"], environment: ["TRUSTGATE_STORE": storePath],
            useStore: false)
        XCTAssertEqual(viaEnvironment.status, 0, viaEnvironment.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: storePath))
        XCTAssertEqual(try trustgate(["client", "show", "env"]).status, 0)

        // Without --store or the variable, ./trustgate.db in the working directory.
        let local = try trustgate(["client", "add", "--id", "local", "--name", "Local", "--method", "private_key_jwt"], useStore: false)
        XCTAssertEqual(local.status, 0, local.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("trustgate.db").path))
    }

    func testSecretIsPrintedOnceAndStoredOnlyAsAHash() async throws {
        XCTAssertEqual(try trustgate(["client", "add", "--id", "billing", "--name", "Billing", "--method", "client_secret_basic"]).status, 0)
        let added = try trustgate(["client", "add-secret", "billing", "--expires", "90d", "--iterations", "100000", "--json"])
        XCTAssertEqual(added.status, 0, added.stderr)
        let object = try added.object()
        let secret = try XCTUnwrap(object["secret"] as? String)
        XCTAssertEqual(secret.count, 43)
        XCTAssertEqual(object["hint"] as? String, String(secret.prefix(3)))
        XCTAssertNotNil(object["expires_at"] as? String)

        let text = try trustgate(["client", "add-secret", "billing", "--iterations", "100000"])
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let second = try XCTUnwrap(lines.first { $0.count == 43 && !$0.contains(" ") })
        XCTAssertEqual(text.stdout.components(separatedBy: second).count, 2, "the secret appears once")

        let show = try trustgate(["client", "show", "billing", "--json"])
        XCTAssertFalse(show.stdout.contains(secret))
        XCTAssertFalse(show.stdout.contains(second))
        let secrets = try XCTUnwrap(try show.object()["secrets"] as? [[String: Any]])
        XCTAssertEqual(secrets.count, 2)
        XCTAssertEqual(Set(secrets.compactMap { $0["hash_algorithm"] as? String }), ["pbkdf2-sha256"])
        XCTAssertFalse(storeFileBytes(storePath).containsSequence(Array(secret.utf8)), "only the hash is stored")

        let store = try SQLiteRegistrationStore(path: storePath, create: false)
        let stored = try await store.secrets(clientID: "billing")
        XCTAssertTrue(stored.contains { $0.verify(secret) })
        XCTAssertTrue(stored.contains { $0.verify(second) })
        XCTAssertTrue(stored.allSatisfy { $0.hash.isSlow })

        let unknown = try trustgate(["client", "add-secret", "nobody"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stdout, "", "nothing is generated for an unknown client")
        XCTAssertEqual(try trustgate(["client", "add-secret", "billing", "--iterations", "1000"]).status, 2)
    }

    func testCertificateAndSubjectIssuerRuleCommands() throws {
        let pki = try TestPKI(directory: directory)
        let issued = try pki.issueClient(subject: "CN=billing,O=Example", sans: ["DNS:billing.example.com"])
        let pem = try pki.write(issued.certificate, name: "billing.pem")
        let der = try pki.write(try pki.issueClient(subject: "CN=other").certificate, name: "other.cer", der: true)
        let caFile = try pki.write(pki.root, name: "ca.pem")
        XCTAssertEqual(try trustgate(["client", "add", "--id", "billing", "--name", "Billing", "--method", "private_key_jwt", "--method", "tls_client_auth"]).status, 0)

        let added = try trustgate(["client", "add-cert", "billing", "--file", pem, "--json"])
        XCTAssertEqual(added.status, 0, added.stderr)
        let certificate = try added.object()
        XCTAssertEqual(certificate["subject"] as? String, "CN=billing,O=Example")
        XCTAssertEqual(certificate["x5t#S256"] as? String, CertificateFingerprints(issued.certificate).x5tS256)
        XCTAssertEqual(try trustgate(["client", "add-cert", "billing", "--file", der]).status, 0, "DER .cer")

        let again = try trustgate(["client", "add-cert", "billing", "--file", pem])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("already registered for client 'billing'"), again.stderr)
        let unreadable = try trustgate(["client", "add-cert", "billing", "--file", directory.appendingPathComponent("absent.pem").path])
        XCTAssertEqual(unreadable.status, 2)
        XCTAssertTrue(unreadable.stderr.contains("does not exist"), unreadable.stderr)
        let notACertificate = directory.appendingPathComponent("junk.pem").path
        try "junk".write(toFile: notACertificate, atomically: true, encoding: .utf8)
        XCTAssertEqual(try trustgate(["client", "add-cert", "billing", "--file", notACertificate]).status, 2)

        let rule = try trustgate([
            "client", "add-sni-rule", "billing", "--ca", caFile, "--subject", "cn=Billing, o=Example", "--san-dns", "billing.example.com",
            "--json",
        ])
        XCTAssertEqual(rule.status, 0, rule.stderr)
        let ruleObject = try rule.object()
        XCTAssertEqual(ruleObject["subject"] as? String, "CN=Billing,O=Example")
        XCTAssertEqual(ruleObject["san_dns"] as? [String], ["billing.example.com"])
        XCTAssertEqual((ruleObject["trusted_cas"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual(try trustgate(["client", "add-sni-rule", "billing", "--ca", caFile]).status, 2, "a rule needs a name")
        XCTAssertEqual(try trustgate(["client", "add-sni-rule", "billing", "--ca", caFile, "--subject", "XX=1"]).status, 2)
        XCTAssertEqual(try trustgate(["client", "add-sni-rule", "billing", "--ca", caFile, "--san-ip", "not-an-ip"]).status, 2)

        let show = try trustgate(["client", "show", "billing", "--json"])
        let registration = try show.object()
        XCTAssertEqual((registration["certificates"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual((registration["subject_issuer_rules"] as? [[String: Any]])?.count, 1)
        let text = try trustgate(["client", "show", "billing"])
        XCTAssertTrue(text.stdout.contains("CN=billing,O=Example"), text.stdout)
    }

    func testKeysRotateNeedsTheRightStoreKey() throws {
        let keyFile = directory.appendingPathComponent("store.key").path
        let noKey = try trustgate(["keys", "rotate"])
        XCTAssertEqual(noKey.status, 1)
        XCTAssertTrue(noKey.stderr.contains("no store key"), noKey.stderr)

        let created = try trustgate(["keys", "create-store-key", keyFile], useStore: false)
        XCTAssertEqual(created.status, 0, created.stderr)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber).intValue
        XCTAssertEqual(mode & 0o777, 0o600)
        XCTAssertEqual(try trustgate(["keys", "create-store-key", keyFile], useStore: false).status, 1, "never overwrites")

        let first = try trustgate(["keys", "rotate", "--key-file", keyFile, "--algorithm", "es256", "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let firstKey = try XCTUnwrap(try first.object()["new_key"] as? [String: Any])
        XCTAssertEqual(firstKey["state"] as? String, "active", "the first key signs at once")
        XCTAssertEqual(firstKey["algorithm"] as? String, "ES256")

        let keyBytes = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        let second = try trustgate(
            ["keys", "rotate", "--publish-delay", "1h", "--json"], environment: ["TRUSTGATE_STORE_KEY": keyBytes.base64EncodedString()])
        XCTAssertEqual(second.status, 0, second.stderr)
        let rotation = try second.object()
        XCTAssertEqual((rotation["new_key"] as? [String: Any])?["state"] as? String, "published")
        XCTAssertEqual((rotation["new_key"] as? [String: Any])?["algorithm"] as? String, "RS256")
        XCTAssertEqual(rotation["retention_seconds"] as? Int, 7200)
        let retired = try XCTUnwrap(rotation["retired_keys"] as? [[String: Any]])
        XCTAssertEqual(retired.first?["kid"] as? String, firstKey["kid"] as? String)

        let listed = try trustgate(["keys", "list", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let states = (try listed.json() as? [[String: Any]])?.compactMap { $0["state"] as? String }
        XCTAssertEqual(states, ["active", "published"], "the old key signs until the new one's publish delay is over")

        let otherKey = directory.appendingPathComponent("other.key").path
        XCTAssertEqual(try trustgate(["keys", "create-store-key", otherKey], useStore: false).status, 0)
        let wrong = try trustgate(["keys", "rotate", "--key-file", otherKey])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("the store key does not match"), wrong.stderr)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: otherKey)
        let open = try trustgate(["keys", "rotate", "--key-file", otherKey])
        XCTAssertEqual(open.status, 1)
        XCTAssertTrue(open.stderr.contains("must not be readable by group or others"), open.stderr)
        let short = try trustgate(["keys", "rotate"], environment: ["TRUSTGATE_STORE_KEY": "c2hvcnQ="])
        XCTAssertEqual(short.status, 1)
        XCTAssertTrue(short.stderr.contains("must be 32 bytes"), short.stderr)
        XCTAssertEqual(try trustgate(["keys", "rotate", "--key-file", keyFile, "--algorithm", "HS256"]).status, 2)
    }
}
