import Hummingbird
import TrustGateAuth
import TrustGateHummingbird
import XCTest

final class PrincipalRequestContextTests: XCTestCase {
    struct Context: PrincipalRequestContext {
        var coreContext: CoreRequestContextStorage
        var principal: Principal?
        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
        }
    }
}
