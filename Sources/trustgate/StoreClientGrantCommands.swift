import ArgumentParser
import Foundation
import TrustGateStore

/// `trustgate client grant ID --resource R --role X…`.
struct ClientGrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Grant a client app roles on a resource (what {resource}/.default puts in the token's roles).")

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The resource identifier.", valueName: "id"))
    var resource: String

    @Option(name: .customLong("role"), help: ArgumentHelp("An app role of the resource (repeatable).", valueName: "role"))
    var roles: [String] = []

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the client's grant on the resource as JSON.")
    var json = false

    func validate() throws {
        if roles.isEmpty { throw ValidationError("give at least one --role") }
    }

    func run() async throws {
        try await StoreCommand.run {
            let grant = try await store.open(create: false).grantRoles(clientID: id, resource: resource, roles: roles)
            if json {
                try StoreCommand.printJSON(GrantView(grant))
            } else {
                print("Client \(id) holds on \(resource): \(grant.roles.joined(separator: ", ")).")
            }
        }
    }
}

/// `trustgate client revoke-grant ID --resource R [--role X…]`.
struct ClientRevokeGrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-grant", abstract: "Take app roles on a resource away from a client (all of them without --role).")

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The resource identifier.", valueName: "id"))
    var resource: String

    @Option(name: .customLong("role"), help: ArgumentHelp("A role to revoke (repeatable; default: all).", valueName: "role"))
    var roles: [String] = []

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the remaining grant as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let remaining = try await store.open(create: false).revokeRoles(
                clientID: id, resource: resource, roles: roles.isEmpty ? nil : roles)
            if json {
                try StoreCommand.printJSON(GrantView(clientID: id, resource: resource, roles: remaining?.roles ?? []))
            } else if let remaining {
                print("Client \(id) still holds on \(resource): \(remaining.roles.joined(separator: ", ")).")
            } else {
                print("Client \(id) holds no roles on \(resource).")
            }
        }
    }
}
