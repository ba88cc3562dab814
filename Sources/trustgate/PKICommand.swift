import ArgumentParser

struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "A small PKI: CAs, client/server and self-signed certificates, revocation and CRLs, PEM/DER/PFX conversion.",
        discussion: """
            A CA lives in a directory (see init-ca). Private keys are written as PKCS#8 PEM with mode 0600, created \
            that way (never readable by others, not even briefly); existing files are never replaced without --force.

            Exit status: 0 success, 2 bad usage or input, 1 any other failure.

            Quick start (mutual TLS with curl):
              trustgate pki init-ca --dir ca --intermediate
              trustgate pki issue --ca ca --type server --cn localhost \\
                  --ip 127.0.0.1 --out server
              trustgate pki issue --ca ca --type client --cn billing --out billing
              curl --cacert ca/root.pem --cert billing-chain.pem \\
                  --key billing.key https://localhost:8443/
            """,
        subcommands: [
            PKIInitCACommand.self,
            PKIIssueCommand.self,
            PKISelfSignedCommand.self,
            PKIRevokeCommand.self,
            PKICRLCommand.self,
            PKIExportCommand.self,
            PKIImportPFXCommand.self,
        ]
    )
}
