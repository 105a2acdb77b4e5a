// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Yams

/// The keys of every mapping in the YAML file, in file order, by dotted path (`""` for the top level,
/// `accounts`, `auth.keys`, …).
///
/// swift-configuration reads values by key but cannot list the keys of a mapping, which is what an
/// operator-named section (`accounts.shop`, `accounts.news`) needs. This reads only the names, with Yams, the YAML
/// library swift-configuration itself uses; every value is still read through swift-configuration, so environment
/// overrides and error reporting stay the same.
struct MappingKeys: Sendable, Equatable {
    private var keysByPath: [String: [String]] = [:]

    /// No file: no mappings.
    static let none = MappingKeys()

    /// The keys of the mapping at `path` in file order; empty when there is none there.
    func keys(under path: String) -> [String] {
        keysByPath[path] ?? []
    }

    /// Reads the names from YAML text.
    /// - Throws: the parser's error, for a file that is not YAML.
    init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml) else { return }
        collect(root, at: "")
    }

    private init() {}

    private mutating func collect(_ node: Node, at path: String) {
        guard let mapping = node.mapping else { return }
        var names: [String] = []
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            names.append(name)
            collect(value, at: path.isEmpty ? name : path + "." + name)
        }
        keysByPath[path] = names
    }
}
