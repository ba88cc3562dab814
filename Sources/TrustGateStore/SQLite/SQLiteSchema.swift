/// The store's schema as numbered migrations. A migration, once released, never changes: a new version adds a
/// new migration. Each is applied in its own transaction and recorded in `schema_migrations`.
enum SQLiteSchema {
    struct Migration {
        let version: Int
        let summary: String
        let sql: String
    }

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static let migrations: [Migration] = [
        Migration(
            version: 1,
            summary: "resources, clients, credentials, grants, signing keys, replay records, audit log",
            sql: """
                CREATE TABLE resources (
                    identifier TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    token_profile TEXT NOT NULL,
                    access_token_lifetime INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE resource_roles (
                    resource TEXT NOT NULL REFERENCES resources(identifier) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (resource, role)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE clients (
                    client_id TEXT PRIMARY KEY NOT NULL,
                    object_id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    enabled INTEGER NOT NULL,
                    auth_methods TEXT NOT NULL,
                    token_lifetime INTEGER NOT NULL CHECK (token_lifetime BETWEEN 60 AND 86400),
                    allow_assertion_reuse INTEGER NOT NULL,
                    certificate_bound_tokens INTEGER NOT NULL,
                    assertion_signing_alg TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE client_secrets (
                    id TEXT PRIMARY KEY NOT NULL,
                    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    hash TEXT NOT NULL,
                    hint TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER
                ) STRICT;
                CREATE INDEX client_secrets_by_client ON client_secrets(client_id);
                CREATE TABLE client_certificates (
                    sha256 BLOB PRIMARY KEY NOT NULL,
                    sha1 BLOB NOT NULL,
                    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    der BLOB NOT NULL,
                    subject TEXT NOT NULL,
                    issuer TEXT NOT NULL,
                    not_before INTEGER NOT NULL,
                    not_after INTEGER NOT NULL,
                    added_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX client_certificates_by_sha1 ON client_certificates(sha1);
                CREATE INDEX client_certificates_by_client ON client_certificates(client_id);
                CREATE TABLE subject_issuer_rules (
                    id TEXT PRIMARY KEY NOT NULL,
                    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    subject_dn TEXT,
                    san_dns TEXT NOT NULL,
                    san_uri TEXT NOT NULL,
                    san_ip TEXT NOT NULL,
                    san_email TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX subject_issuer_rules_by_client ON subject_issuer_rules(client_id);
                CREATE TABLE subject_issuer_rule_anchors (
                    rule_id TEXT NOT NULL REFERENCES subject_issuer_rules(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    der BLOB NOT NULL,
                    PRIMARY KEY (rule_id, position)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE role_grants (
                    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    resource TEXT NOT NULL,
                    role TEXT NOT NULL,
                    granted_at INTEGER NOT NULL,
                    PRIMARY KEY (client_id, resource, role),
                    FOREIGN KEY (resource, role) REFERENCES resource_roles(resource, role) ON DELETE CASCADE
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX role_grants_by_role ON role_grants(resource, role);
                CREATE TABLE signing_keys (
                    kid TEXT PRIMARY KEY NOT NULL,
                    algorithm TEXT NOT NULL,
                    public_key BLOB NOT NULL,
                    certificate BLOB,
                    sealed_private_key BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    published_at INTEGER NOT NULL,
                    active_from INTEGER,
                    retired_at INTEGER,
                    removed_at INTEGER
                ) STRICT;
                CREATE TABLE replay_records (
                    client_id TEXT NOT NULL,
                    jti TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (client_id, jti)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX replay_records_by_expiry ON replay_records(expires_at);
                CREATE TABLE audit_events (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    time INTEGER NOT NULL,
                    client_id TEXT,
                    method TEXT,
                    outcome TEXT NOT NULL,
                    reason TEXT,
                    resource TEXT
                ) STRICT;
                CREATE INDEX audit_events_by_client ON audit_events(client_id, sequence);
                """
        ),
        Migration(
            version: 2,
            summary: "named keys for the calling side (secrets and certificates, sealed with the store key)",
            sql: """
                CREATE TABLE named_keys (
                    name TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('secret', 'certificate')),
                    sealed_value BLOB NOT NULL,
                    certificate_subject TEXT,
                    certificate_sha256 BLOB,
                    certificate_not_after INTEGER,
                    created_at INTEGER NOT NULL
                ) STRICT;
                """
        ),
        Migration(
            version: 3,
            summary: "clients' registered JWKS (public keys for private_key_jwt without certificates)",
            sql: """
                CREATE TABLE client_jwks (
                    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    kid TEXT NOT NULL,
                    jwk TEXT NOT NULL,
                    added_at INTEGER NOT NULL,
                    PRIMARY KEY (client_id, kid)
                ) STRICT, WITHOUT ROWID;
                """
        ),
    ]
}
