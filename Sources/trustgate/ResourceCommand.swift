import ArgumentParser
import Foundation
import TrustGateStore

/// `trustgate resource`: the APIs tokens are issued for, with their app roles.
struct ResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource",
        abstract: "Register the APIs (resources) the token service issues tokens for, and their app roles.",
        discussion: """
            A resource's identifier is the tokens' `aud`; a client asks for `{identifier}/.default` and receives \
            the app roles it was granted on it (see `trustgate client grant`).

            Exit status: 0 success, 2 bad usage or input, 1 any other failure.

            Example:
              trustgate resource add api://loyalty --name "Loyalty API" --role Loyalty.Read --role Loyalty.Write
            """,
        subcommands: [ResourceAddCommand.self, ResourceListCommand.self, ResourceShowCommand.self]
    )
}

struct ResourceAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a resource.")

    @Argument(help: ArgumentHelp("The identifier: an absolute URI such as api://loyalty, or a UUID.", valueName: "id"))
    var identifier: String

    @Option(help: "A display name.")
    var name: String

    @Option(name: .customLong("role"), help: ArgumentHelp("An app role clients can be granted (repeat for several).", valueName: "role"))
    var roles: [String] = []

    @Option(help: ArgumentHelp("The token claims: rfc9068 (default) or entra (adds azp, azpacr, idtyp, tid, oid, ver).", valueName: "profile"))
    var profile: TokenProfileArgument = .rfc9068

    @Option(
        name: .customLong("token-lifetime"),
        help: ArgumentHelp("Cap the lifetime of tokens for this resource (60s … 1d; e.g. 15m).", valueName: "duration"))
    var tokenLifetime: DurationArgument?

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the resource as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let lifetime = try tokenLifetime.map { try TokenLifetime(seconds: $0.seconds) }
            let resource = try Resource(
                identifier: identifier, name: name, appRoles: roles, tokenProfile: profile.profile, accessTokenLifetime: lifetime)
            let opened = try store.open(create: true)
            try await opened.addResource(resource)
            if json {
                try StoreCommand.printJSON(ResourceView(resource))
            } else {
                print("Registered resource \(resource.identifier) (scope \(resource.defaultScope)).")
            }
        }
    }
}

struct ResourceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered resources.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let resources = try await store.open(create: false).resources()
            if json {
                try StoreCommand.printJSON(resources.map(ResourceView.init))
                return
            }
            if resources.isEmpty {
                print("No resources.")
                return
            }
            for resource in resources {
                let roles = resource.appRoles.isEmpty ? "(no roles)" : resource.appRoles.joined(separator: ", ")
                print("\(resource.identifier)  \(resource.name)  [\(resource.tokenProfile.rawValue)]  roles: \(roles)")
            }
        }
    }
}

struct ResourceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one resource.")

    @Argument(help: ArgumentHelp("The resource identifier.", valueName: "id"))
    var identifier: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the resource as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            guard let resource = try await store.open(create: false).resource(identifier: identifier) else {
                throw RegistrationStoreError.unknownResource(identifier)
            }
            if json {
                try StoreCommand.printJSON(ResourceView(resource))
                return
            }
            StoreCommand.printFields([
                ("Identifier:", resource.identifier),
                ("Name:", resource.name),
                ("Default scope:", resource.defaultScope),
                ("App roles:", resource.appRoles.isEmpty ? "(none)" : resource.appRoles.joined(separator: ", ")),
                ("Token profile:", resource.tokenProfile.rawValue),
                ("Token lifetime:", resource.accessTokenLifetime.map { "at most \($0)" } ?? "the client's"),
                ("Created:", StoreCommand.format(resource.createdAt)),
                ("Updated:", StoreCommand.format(resource.updatedAt)),
            ])
        }
    }
}

/// `--profile rfc9068|entra`.
enum TokenProfileArgument: String, ExpressibleByArgument, CaseIterable {
    case rfc9068
    case entra

    var profile: TokenProfile {
        switch self {
        case .rfc9068: return .rfc9068
        case .entra: return .entra
        }
    }
}
