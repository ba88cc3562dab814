public import Foundation
import SwiftASN1
import TrustGateAuth
import TrustGateX509
import X509

extension SQLiteRegistrationStore {
    // MARK: - Secrets

    public func addSecret(_ secret: ClientSecret) async throws {
        try await connection.write { database in
            try Self.requireClient(secret.clientID, in: database)
            try database.execute(
                "INSERT INTO client_secrets (id, client_id, hash, hint, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                [
                    .text(secret.id.uuidString.lowercased()), .text(secret.clientID), .text(secret.hash.encoded), .text(secret.hint),
                    .date(secret.createdAt), .optionalDate(secret.expiresAt),
                ])
        }
    }

    public func removeSecret(clientID: String, secretID: UUID) async throws {
        try await connection.write { database in
            try Self.requireClient(clientID, in: database)
            let changed = try database.execute(
                "DELETE FROM client_secrets WHERE client_id = ?1 AND id = ?2", [.text(clientID), .text(secretID.uuidString.lowercased())])
            guard changed == 1 else {
                throw RegistrationStoreError.unknownSecret(clientID: clientID, secretID: secretID.uuidString.lowercased())
            }
        }
    }

    public func secrets(clientID: String) async throws -> [ClientSecret] {
        try await connection.read { database in try Self.loadSecrets(database, clientID: clientID) }
    }

    static func loadSecrets(_ database: SQLiteDatabase, clientID: String) throws -> [ClientSecret] {
        try database.query(
            "SELECT id, hash, hint, created_at, expires_at FROM client_secrets WHERE client_id = ?1 ORDER BY created_at, id",
            [.text(clientID)]
        ) { row in
            let record = "secret of client \(clientID)"
            let id = try SQLiteRecordDecoding.uuid(row.text(0), record: record)
            let hash: SecretHash
            do {
                hash = try SecretHash(row.text(1))
            } catch {
                throw RegistrationStoreError.storageFailure("the stored \(record) has an unusable hash: \(error)")
            }
            let hint = row.text(2)
            let createdAt = row.date(3)
            let expiresAt = row.optionalDate(4)
            return try SQLiteRecordDecoding.decode(record) {
                try ClientSecret(id: id, clientID: clientID, hash: hash, hint: hint, createdAt: createdAt, expiresAt: expiresAt)
            }
        }
    }

    // MARK: - Certificates

    public func addCertificate(_ certificate: ClientCertificate) async throws {
        try await connection.write { database in
            try Self.requireClient(certificate.clientID, in: database)
            let owner = try database.query(
                "SELECT client_id FROM client_certificates WHERE sha256 = ?1", [.blob(certificate.sha256)]
            ) { $0.text(0) }.first
            if let owner { throw RegistrationStoreError.certificateAlreadyRegistered(clientID: owner) }
            // Check and insert run under the write lock (BEGIN IMMEDIATE): no other writer can slip in between.
            try Self.insertCertificate(certificate, into: database)
        }
    }

    private static func insertCertificate(_ certificate: ClientCertificate, into database: SQLiteDatabase) throws {
        try database.execute(
            """
            INSERT INTO client_certificates (sha256, sha1, client_id, der, subject, issuer, not_before, not_after, added_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """,
            [
                .blob(certificate.sha256), .blob(certificate.sha1), .text(certificate.clientID), .blob(certificate.derBytes),
                .text(certificate.subject), .text(certificate.issuer), .date(certificate.notBefore), .date(certificate.notAfter),
                .date(certificate.addedAt),
            ])
    }

    public func removeCertificate(clientID: String, sha256: [UInt8]) async throws {
        try await connection.write { database in
            try Self.requireClient(clientID, in: database)
            let changed = try database.execute(
                "DELETE FROM client_certificates WHERE client_id = ?1 AND sha256 = ?2", [.text(clientID), .blob(sha256)])
            guard changed == 1 else { throw RegistrationStoreError.unknownCertificate(clientID: clientID) }
        }
    }

    public func certificates(clientID: String) async throws -> [ClientCertificate] {
        try await connection.read { database in try Self.loadCertificates(database, clientID: clientID) }
    }

    public func clientCertificate(matching digest: CertificateDigest) async throws -> ClientCertificateMatch? {
        let column: String
        switch digest {
        case .sha1: column = "sha1"
        case .sha256: column = "sha256"
        }
        let bytes = digest.bytes
        return try await connection.read { database in
            // The column name comes from the enum above, never from input; the value is bound.
            let certificates = try database.query(
                "SELECT \(Self.certificateColumns) FROM client_certificates WHERE \(column) = ?1 ORDER BY added_at LIMIT 2",
                [.blob(bytes)], Self.decodeCertificate)
            // Two certificates with one SHA-1 would be a collision; refuse to pick one.
            guard certificates.count == 1, let certificate = certificates.first,
                let client = try Self.loadClients(database, id: certificate.clientID).first
            else { return nil }
            return ClientCertificateMatch(client: client, certificate: certificate)
        }
    }

    static let certificateColumns = "client_id, der, sha1, sha256, subject, issuer, not_before, not_after, added_at"

    static func loadCertificates(_ database: SQLiteDatabase, clientID: String) throws -> [ClientCertificate] {
        try database.query(
            "SELECT \(certificateColumns) FROM client_certificates WHERE client_id = ?1 ORDER BY added_at, sha256",
            [.text(clientID)], decodeCertificate)
    }

    static func decodeCertificate(_ row: SQLiteRow) -> ClientCertificate {
        ClientCertificate(
            clientID: row.text(0), derBytes: row.blob(1), sha1: row.blob(2), sha256: row.blob(3), subject: row.text(4),
            issuer: row.text(5), notBefore: row.date(6), notAfter: row.date(7), addedAt: row.date(8))
    }

    // MARK: - Subject / issuer rules

    public func addSubjectIssuerRule(_ rule: SubjectIssuerRule) async throws {
        try await connection.write { database in
            try Self.requireClient(rule.clientID, in: database)
            let id = rule.id.uuidString.lowercased()
            let names = rule.alternativeNames
            try database.execute(
                """
                INSERT INTO subject_issuer_rules (id, client_id, subject_dn, san_dns, san_uri, san_ip, san_email, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """,
                [
                    .text(id), .text(rule.clientID), .optionalText(rule.subjectText),
                    .text(SQLiteRecordDecoding.encodeList(names.dnsNames)), .text(SQLiteRecordDecoding.encodeList(names.uris)),
                    .text(SQLiteRecordDecoding.encodeList(names.ipAddresses)), .text(SQLiteRecordDecoding.encodeList(names.emails)),
                    .date(rule.createdAt),
                ])
            for (position, anchor) in rule.trustAnchors.enumerated() {
                try database.execute(
                    "INSERT INTO subject_issuer_rule_anchors (rule_id, position, der) VALUES (?1, ?2, ?3)",
                    [.text(id), .int(position), .blob(anchor.derBytes)])
            }
        }
    }

    public func removeSubjectIssuerRule(clientID: String, ruleID: UUID) async throws {
        try await connection.write { database in
            try Self.requireClient(clientID, in: database)
            let id = ruleID.uuidString.lowercased()
            let changed = try database.execute(
                "DELETE FROM subject_issuer_rules WHERE client_id = ?1 AND id = ?2", [.text(clientID), .text(id)])
            guard changed == 1 else { throw RegistrationStoreError.unknownRule(clientID: clientID, ruleID: id) }
        }
    }

    public func subjectIssuerRules(clientID: String) async throws -> [SubjectIssuerRule] {
        try await connection.read { database in try Self.loadRules(database, clientID: clientID) }
    }

    static func loadRules(_ database: SQLiteDatabase, clientID: String) throws -> [SubjectIssuerRule] {
        let rows = try database.query(
            """
            SELECT id, subject_dn, san_dns, san_uri, san_ip, san_email, created_at FROM subject_issuer_rules
            WHERE client_id = ?1 ORDER BY created_at, id
            """,
            [.text(clientID)]
        ) { row in
            (
                id: row.text(0), subject: row.optionalText(1), dns: row.text(2), uris: row.text(3), ips: row.text(4),
                emails: row.text(5), createdAt: row.date(6)
            )
        }
        return try rows.map { row in
            let record = "subject/issuer rule \(row.id) of client \(clientID)"
            let anchors = try database.query(
                "SELECT der FROM subject_issuer_rule_anchors WHERE rule_id = ?1 ORDER BY position", [.text(row.id)]
            ) { anchorRow in
                do {
                    return try Certificate(derEncoded: anchorRow.blob(0))
                } catch {
                    throw RegistrationStoreError.storageFailure("the stored \(record) has an unreadable CA certificate")
                }
            }
            let id = try SQLiteRecordDecoding.uuid(row.id, record: record)
            let dns = try SQLiteRecordDecoding.decodeList(row.dns, record: record)
            let uris = try SQLiteRecordDecoding.decodeList(row.uris, record: record)
            let ips = try SQLiteRecordDecoding.decodeList(row.ips, record: record)
            let emails = try SQLiteRecordDecoding.decodeList(row.emails, record: record)
            return try SQLiteRecordDecoding.decode(record) {
                try SubjectIssuerRule(
                    id: id, clientID: clientID, trustAnchors: anchors,
                    subject: try row.subject.map { try SubjectIssuerRule.parseSubject($0) },
                    alternativeNames: try SubjectAlternativeNameMatchers(dnsNames: dns, uris: uris, ipAddresses: ips, emails: emails),
                    createdAt: row.createdAt)
            }
        }
    }
}
