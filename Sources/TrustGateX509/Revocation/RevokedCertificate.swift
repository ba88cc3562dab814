public import Foundation
public import X509

/// One entry of a CRL's `revokedCertificates` list (RFC 5280 §5.1.2.6 and the entry extensions of §5.3).
public struct RevokedCertificate: Sendable, Hashable {
    /// The revoked certificate's serial number.
    public let serialNumber: Certificate.SerialNumber
    /// When the CA revoked the certificate.
    public let revocationDate: Date
    /// The `reasonCode` entry extension, when present. RFC 5280 asks CAs to omit it rather than say `unspecified`,
    /// so `nil` means "no reason given".
    public let reason: CRLReason?
    /// The `invalidityDate` entry extension: when the key is known or suspected to have been compromised.
    public let invalidityDate: Date?

    public init(
        serialNumber: Certificate.SerialNumber,
        revocationDate: Date,
        reason: CRLReason? = nil,
        invalidityDate: Date? = nil
    ) {
        self.serialNumber = serialNumber
        self.revocationDate = revocationDate
        self.reason = reason
        self.invalidityDate = invalidityDate
    }
}
