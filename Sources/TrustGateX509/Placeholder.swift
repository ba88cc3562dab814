import X509
import NIOSSL
import Yams
import _CryptoExtras
public enum TrustGateX509Placeholder {}
