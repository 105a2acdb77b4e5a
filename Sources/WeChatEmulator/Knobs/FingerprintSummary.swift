// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Current tokens or tickets by name, each as a fingerprint and its remaining lifetime, never the value:
/// `{"classic":{"fingerprint":"…","expires_in":N},"stable":null}`.
struct FingerprintSummary: Encodable {
    /// One live token or ticket.
    struct Entry: Encodable {
        var fingerprint: String
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case fingerprint
            case expiresIn = "expires_in"
        }
    }

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private let entries: [(name: String, entry: Entry?)]

    /// Summarises `values` (`nil`: none alive) under their names, in order.
    init(_ values: [(name: String, value: String?, expiresIn: Int?)]) {
        entries = values.map { item in
            let entry = item.value.map {
                Entry(fingerprint: TokenGenerator.fingerprint($0), expiresIn: item.expiresIn ?? 0)
            }
            return (item.name, entry)
        }
    }

    /// The current tokens of both pools.
    init(classic: IssuedToken?, stable: IssuedToken?) {
        self.init([
            ("classic", classic?.value, classic?.expiresIn), ("stable", stable?.value, stable?.expiresIn),
        ])
    }

    /// The current tickets of every type.
    init(tickets: (TicketType) -> IssuedTicket?) {
        self.init(TicketType.allCases.map { type in
            let ticket = tickets(type)
            return (type.rawValue, ticket?.value, ticket?.expiresIn)
        })
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, entry) in entries {
            try container.encode(entry, forKey: Name(stringValue: name))
        }
    }
}
