import AnantClient
import AnantColumnar
import AnantHypergraph
import AnantOperations
import AnantTestSupport
import Foundation
import Testing

/// Every CLI command, embedded and through a local cluster (2 compute workers, 2 storage
/// replicas, R = 2), on the same data: the outputs must be the same, byte for byte.
@Suite(.serialized)
struct ClusterEquivalenceTests {
    /// The commands run on every dataset (the dataset's name goes after the command word).
    static let commands: [[String]] = [
        ["info"], ["info", "--format", "json"], ["degree", "--format", "json"], ["degree", "--s", "2"], ["degree", "--format", "csv"],
        ["components", "--s", "2"], ["components", "--nodes", "--singletons", "--format", "json"],
        ["line-graph", "--s", "2", "--format", "csv"], ["line-graph", "--s", "3", "--out", "pairs.parquet"],
        ["diameter", "--s", "1"], ["diameter", "--s", "2", "--components", "--format", "json"],
        ["centrality", "--measure", "betweenness", "--s", "1", "--format", "json"], ["centrality", "--measure", "betweenness", "--s", "2", "--nodes", "--top", "10"],
        ["centrality", "--measure", "closeness", "--s", "2"], ["centrality", "--measure", "harmonic", "--normalized", "--format", "json"],
        ["centrality", "--measure", "eccentricity", "--s", "1"], ["centrality", "--measure", "cec", "--nodes", "--top", "5"],
        ["centrality", "--measure", "betweenness", "--approx", "--epsilon", "0.1", "--seed", "7", "--format", "json"],
        ["centrality", "--measure", "harmonic", "--nodes", "--approx", "--epsilon", "0.2", "--top", "8"],
        ["toplexes"], ["singletons", "--format", "json"], ["collapse", "--edges", "--format", "json"], ["collapse", "--nodes", "--use-counts"], ["dual", "--out", "dual.json"],
        ["report"], ["report", "--format", "json"], ["communities", "--format", "json"],
        ["query", "--group-by", "edge", "--agg", "count(*) as n", "--limit", "7"], ["query", "--agg", "count(*) as n", "--format", "json"],
        ["query", "--table", "nodes", "--format", "json", "--limit", "5"],
    ]

    /// The cheaper commands, for the generated 200,000-incidence dataset.
    static let large: [[String]] = [
        ["info"], ["degree", "--format", "csv"], ["degree", "--s", "3", "--format", "json"], ["components", "--s", "1", "--format", "json"],
        ["components", "--s", "4"], ["line-graph", "--s", "5", "--format", "csv"], ["toplexes", "--format", "json"], ["singletons"],
        ["query", "--group-by", "node", "--agg", "count(*) as n", "--sort", "n desc, node", "--limit", "20"],
        ["query", "--where", "edge % 7 = 3", "--agg", "count(*) as rows", "--format", "json"],
        ["query", "--with", "edge * 0.1 as w", "--group-by", "node", "--agg", "sum(edge) as s, mean(w) as m, sum(w) as t, min(edge) as lo, max(w) as hi, n_unique(edge) as k, count(*) as n",
         "--limit", "30", "--format", "csv"],
        ["query", "--where", "node < 500", "--select", "edge, node", "--limit", "40", "--format", "json"],
    ]

    @Test func samplesAndALargeDatasetGiveTheEmbeddedAnswers() throws {
        let cluster = try LocalCluster()
        defer { try? cluster.down() }
        let local = try TestData.temporaryFolder().path, remote = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: local); try? FileManager.default.removeItem(atPath: remote) }

        var datasets: [(path: String, name: String, commands: [[String]], shards: [String])] = [
            ("lesmis.hif.json", "lesmis", Self.commands, []), ("e-coli.json", "ecoli", Self.commands, []),
            ("diseasome.json", "diseasome", Self.commands, []), ("publications_main_component.hif.json", "publications", Self.commands, []),
        ].map { (TestData.sample($0.0).path, $0.1, $0.2, $0.3) }
        // A generated hypergraph of 200,000 incidences, in three shards.
        let generated = "\(local)/generated.csv"
        try Self.incidences(edges: 40_000, nodes: 20_000, size: 5, seed: 13).write(to: URL(fileURLWithPath: generated))
        datasets.append((generated, "generated", Self.large, ["--shards", "3"]))
        // e-coli as CSV: the schema companion (column types, network type, metadata) travels
        // with the upload, so the cluster's dataset keeps what the local one keeps.
        let ecoliCSV = "\(local)/ecoli.csv"
        #expect(try TestData.anant(["convert", TestData.sample("e-coli.json").path, ecoliCSV]).status == 0)
        datasets.append((ecoliCSV, "ecolicsv", Self.commands, []))

        for dataset in datasets {
            let imported = try TestData.anant(["import", dataset.path, dataset.name] + dataset.shards, directory: local)
            #expect(imported.status == 0, "\(imported.stderrText)")
            let uploaded = try cluster.anant(["import", dataset.path, dataset.name] + dataset.shards, directory: remote)
            #expect(uploaded.status == 0, "\(uploaded.stderrText)")
            #expect(uploaded.stdoutText == imported.stdoutText, "the import summaries of \(dataset.name) differ")
            // Commands naming ids: the first nodes by degree and the first toplex.
            let degrees = try TestData.anant(["degree", dataset.name, "--format", "csv"], directory: local).stdoutText
            let nodes = degrees.split(separator: "\n").dropFirst().prefix(2).map { String($0.split(separator: ",")[0]) }
            let toplexes = try TestData.anant(["toplexes", dataset.name, "--format", "json"], directory: local).stdout
            guard case .object(let edges) = try JSONParser.parse(Array(toplexes)), let edge = edges.keys.first, nodes.count == 2 else {
                Issue.record("\(dataset.name): no ids to name")
                continue
            }
            let named: [[String]] = [
                ["info", "--node", nodes[0]], ["info", "--edge", edge, "--format", "json"], ["neighbors", "--node", nodes[0], "--node", nodes[1]],
                ["edge-neighbors", "--edge", edge, "--format", "json"], ["distance", "--from", nodes[0], "--to", nodes[1], "--nodes"],
                ["restrict", "--nodes", nodes.joined(separator: ","), "--out", "restricted.json"],
            ]
            var failed = [String]()
            for command in dataset.commands + named {
                let arguments = [command[0], dataset.name] + command.dropFirst()
                let embedded = try TestData.anant(arguments, directory: local)
                let clustered = try cluster.anant(arguments, directory: remote)
                let label = arguments.joined(separator: " ")
                if embedded.status != 0 { failed.append(command.prefix(3).joined(separator: " ")) }
                #expect(embedded.status == clustered.status, "\(label): exit \(embedded.status) embedded, \(clustered.status) through the cluster: \(clustered.stderrText)")
                #expect(embedded.stdout == clustered.stdout, "\(label): the outputs differ")
                #expect(embedded.stderrText == clustered.stderrText, "\(label): the errors differ")
                if let out = command.firstIndex(of: "--out").map({ command[$0 + 1] }) {
                    let a = FileManager.default.contents(atPath: "\(local)/\(out)"), b = FileManager.default.contents(atPath: "\(remote)/\(out)")
                    #expect(a != nil && a == b, "\(label): the written files differ")
                }
            }
            // Only commands that need a connected hypergraph may fail (the same way both ways).
            let mayFail: Set<String> = ["diameter --s 1", "centrality --measure eccentricity", "centrality --measure cec", "distance --from " + nodes[0]]
            #expect(failed.allSatisfy { mayFail.contains($0) }, "\(dataset.name): \(failed) failed")
            // Export through the gateway writes the same file as an export of the local folder.
            let exported = try TestData.anant(["export", dataset.name, "export.parquet"], directory: local)
            let fetched = try cluster.anant(["export", dataset.name, "export.parquet"], directory: remote)
            #expect(exported.status == 0 && fetched.status == 0, "\(fetched.stderrText)")
            #expect(FileManager.default.contents(atPath: "\(local)/export.parquet") == FileManager.default.contents(atPath: "\(remote)/export.parquet"))
            if dataset.name == "ecolicsv" {
                let back = try HypergraphFiles.read("\(remote)/export.parquet")
                #expect(back.networkType == .directed && back.metadata["organism"] != nil, "the CSV's facts did not reach the cluster")
            }
        }
        // Modularity of a partition file (every node's part: its first letter), and
        // last-step refinement from it.
        let nodes = try TestData.anant(["degree", "lesmis", "--format", "csv"], directory: local).stdoutText
        let rows = nodes.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        let parts = "node,part\n" + rows.map { "\($0),\($0.prefix(1))" }.joined(separator: "\n") + "\n"
        for folder in [local, remote] { try Data(parts.utf8).write(to: URL(fileURLWithPath: "\(folder)/parts.csv")) }
        for command in [["modularity", "lesmis", "--partition", "parts.csv"], ["communities", "lesmis", "--method", "last-step", "--partition", "parts.csv"]] {
            let embedded = try TestData.anant(command, directory: local)
            let clustered = try cluster.anant(command, directory: remote)
            #expect(embedded.status == 0, "\(embedded.stderrText)")
            #expect(embedded.stdout == clustered.stdout && embedded.stderr == clustered.stderr, "\(command.joined(separator: " ")): \(clustered.stderrText)")
        }
        try cluster.down()
    }

    /// An incidence table (CSV: edge,node) of `edges` edges of `size` distinct nodes each,
    /// nodes drawn with a skew (low ids more often), so components and degrees vary.
    static func incidences(edges: Int, nodes: Int, size: Int, seed: UInt64) -> Data {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 17
        }
        var text = "edge,node\n"
        text.reserveCapacity(edges * size * 12)
        for e in 0..<edges {
            var members = Set<Int>()
            while members.count < size {
                let a = Int(next() % UInt64(nodes)), b = Int(next() % UInt64(nodes))
                members.insert(min(a, b))
            }
            for v in members.sorted() { text += "\(e),\(v)\n" }
        }
        return Data(text.utf8)
    }
}
