import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantParquet
import AnantQuery
import AnantTestSupport
import Foundation
import Testing

/// Datasets: lossless round trips, versions, atomic publication, damage detection, and
/// other tools reading the folder as it is.
@Suite struct DatasetTests {
    static func folder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anant-dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Every bundled hypergraph and every compliant HIF conformance file: HIF → dataset →
    /// HIF gives the same document (ids, weights, properties, isolated nodes, empty edges,
    /// metadata), with one shard and with several.
    @Test func hifRoundTripsAreLossless() throws {
        let bundled = ["lesmis.hif.json", "diseasome.json", "e-coli.json", "publications_main_component.hif.json"].map(TestData.sample)
        let files = bundled + (try TestData.files(in: "hif/compliant"))
        let base = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        for (k, file) in files.enumerated() {
            let original = try HIFReader.read(try TestData.bytes(file))
            for shards in [1, 3] {
                let root = "\(base)/d\(k)-\(shards)"
                let written = try Dataset.write(original, to: root, options: DatasetWriteOptions(shards: shards, rowGroupRows: 64))
                #expect(written.manifest.incidenceCount == original.incidenceCount)
                let back = try Dataset.open(root).hypergraph()
                #expect(back == original, "\(file.lastPathComponent) with \(shards) shards")
                #expect(try Dataset.open(root).hypergraphFromWholeTables() == original, "\(file.lastPathComponent): whole-table build")
                let a = try JSONParser.parse(HIFWriter.write(original)), b = try JSONParser.parse(HIFWriter.write(back))
                #expect(a == b, "\(file.lastPathComponent): HIF differs after the round trip")
            }
        }
    }

    /// CSV (with node and edge tables: properties, an isolated node, an empty edge) →
    /// dataset → CSV gives the same three files.
    @Test func csvRoundTripIsLossless() throws {
        let incidences = "edge,node,weight,role\ne1,a,0.5,x\ne1,b,,y\ne2,b,2,\n7,c,1,z\n"
        let nodes = "node,color,weight\na,red,1.5\nb,,\nc,blue,3\nlonely,green,\n"
        let edges = "edge,kind\ne1,meeting\ne2,\n7,paper\nempty,ghost\n"
        let original = try Hypergraph(csv: Array(incidences.utf8), nodeTable: Array(nodes.utf8), edgeTable: Array(edges.utf8))
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Dataset.write(original, to: root, options: DatasetWriteOptions(compression: .snappy, shards: 2))
        let back = try Dataset.open(root).hypergraph()
        #expect(back.incidenceCSV() == original.incidenceCSV())
        #expect(back.nodeCSV() == original.nodeCSV())
        #expect(back.edgeCSV() == original.edgeCSV())
        #expect(back.nodeCount == 4 && back.edgeCount == 4)
    }

    /// The streaming build takes shards in Anant's layout and declines any other (the
    /// whole-table build then takes over): rows out of edge order, an edge split across
    /// shards, nodes out of order within an edge.
    @Test func streamingBuildDeclinesForeignLayouts() throws {
        let h = try TestData.hif("lesmis.hif.json")
        let incidences = h.incidenceTable()
        func shards(_ parts: [[Int]]) -> IncidenceShards {
            IncidenceShards(count: parts.count, batches: { _ in 1 }, read: { shard, _, columns in
                try incidences.gather(parts[shard]).select(columns)
            }, properties: try! Schema(incidences.schema.fields.filter { $0.name != "edge" && $0.name != "node" }))
        }
        let rows = Array(0..<incidences.rowCount)
        let half = rows.count / 2
        // Split at an edge boundary: a valid layout.
        let edgeColumn = incidences.columns[0]
        var cut = half
        while cut < rows.count && edgeColumn[cut] == edgeColumn[cut - 1] { cut += 1 }
        let valid = try Hypergraph(shards: shards([Array(rows[..<cut]), Array(rows[cut...])]), nodeTable: h.nodeTable(), edgeTable: h.edgeTable(),
                                   defaultWeights: h.defaultWeights, name: h.name)
        #expect(valid?.incidenceCount == h.incidenceCount)
        var expected = h
        expected.metadata = JSONObject()
        expected.networkType = nil
        #expect(valid == expected)
        // An edge split across the shards; rows reversed; swapped nodes within an edge.
        #expect(try Hypergraph(shards: shards([Array(rows[..<(cut - 1)]), Array(rows[(cut - 1)...])]), nodeTable: h.nodeTable(), edgeTable: h.edgeTable()) == nil)
        #expect(try Hypergraph(shards: shards([rows.reversed()]), nodeTable: h.nodeTable(), edgeTable: h.edgeTable()) == nil)
        var swapped = rows
        swapped.swapAt(0, 1)
        #expect(try Hypergraph(shards: shards([swapped]), nodeTable: h.nodeTable(), edgeTable: h.edgeTable()) == nil)
        // An incidence naming a node the node table lacks is an error, not a guess.
        #expect(throws: HypergraphError.self) {
            try Hypergraph(shards: shards([rows]), nodeTable: h.nodeTable().gather(Array(1..<h.nodeCount)), edgeTable: h.edgeTable())
        }
    }

    /// Every edge lives whole in one shard; shards follow the documented hash.
    @Test func incidencesShardByEdge() throws {
        let h = try TestData.hif("lesmis.hif.json")
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Dataset.write(h, to: root, options: DatasetWriteOptions(shards: 4))
        var shardOfEdge = [ScalarValue: Int]()
        for (k, file) in dataset.files(.incidences).enumerated() {
            let edges = try ParquetFileReader(path: file).readTable(columns: ["edge"]).columns[0]
            for row in 0..<edges.count {
                #expect(shardOfEdge.updateValue(k, forKey: edges[row]).map { $0 == k } ?? true, "edge \(edges[row]) split across shards")
            }
        }
        #expect(Set(shardOfEdge.values).count > 1, "the edges should spread over several shards")
    }

    /// New versions on every write; old ones stay readable until removed; the links and
    /// `_manifest.json` always name the current one; readers of the old version are not
    /// disturbed by a new write.
    @Test func versionsAreImmutableAndRemovable() throws {
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = Toys.t9, second = Toys.s4
        try Dataset.write(first, to: root)
        let old = try Dataset.open(root)
        try Dataset.write(second, to: root)
        #expect(Dataset.versions(root) == [1, 2])
        #expect(try Dataset.open(root).manifest.version == 2)
        #expect(try Dataset.open(root).hypergraph() == second)
        #expect(try Dataset.open(root, version: 1).hypergraph() == first)
        #expect(try old.hypergraph() == first, "a reader holding version 1 keeps reading it")
        let linked = try ParquetFileReader(path: "\(root)/incidences/part-00000.parquet").rowCount
        #expect(Int(linked) == second.incidenceCount)
        #expect(throws: DatasetError.self) { try Dataset.removeVersion(root, 2) }
        try Dataset.removeVersion(root, 1)
        #expect(Dataset.versions(root) == [2])
        #expect(throws: DatasetError.self) { try Dataset.open(root, version: 1) }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/v00001"))
        // No staging leftovers.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).allSatisfy { !$0.hasPrefix(".staging") })
    }

    /// Damage is reported with the shard's name, never read as data.
    @Test func damageIsDetected() throws {
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Dataset.write(Toys.t9, to: root, options: DatasetWriteOptions(shards: 2))
        try dataset.verify()
        // Same size, one byte flipped: only the checksum can tell.
        let file = dataset.files(.nodes)[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect(throws: DatasetError.self) { try Dataset.open(root).verify() }
        // Truncated: opening refuses it.
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: file))
        #expect { try Dataset.open(root) } throws: { ($0 as? DatasetError)?.code == .corruptShard }
        // A missing shard.
        try FileManager.default.removeItem(atPath: dataset.files(.edges)[1])
        #expect { try Dataset.open(root) } throws: { ($0 as? DatasetError)?.code == .corruptShard }
        // Not a dataset, a garbage manifest, a hostile version number.
        #expect { try Dataset.open("\(root)/nowhere") } throws: { ($0 as? DatasetError)?.code == .notFound }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(root)/_manifest.json"))
        #expect { try Dataset.open(root) } throws: { ($0 as? DatasetError)?.code == .invalidManifest }
        #expect(throws: DatasetError.self) { try Dataset.open(root, version: 99) }
    }

    /// A non-empty folder that is not a dataset is never written into; a held lock stops
    /// a second writer.
    @Test func writesRefuseForeignFoldersAndConcurrentWriters() throws {
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("precious".utf8).write(to: URL(fileURLWithPath: "\(root)/notes.txt"))
        #expect { try Dataset.write(Toys.t9, to: root) } throws: { ($0 as? DatasetError)?.code == .invalidArgument }
        #expect(try String(contentsOfFile: "\(root)/notes.txt", encoding: .utf8) == "precious")
        let fresh = root + "/ds"
        try Dataset.write(Toys.t9, to: fresh)
        let fd = open(fresh + "/.lock", O_RDWR)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect { try Dataset.write(Toys.s4, to: fresh) } throws: { ($0 as? DatasetError)?.code == .locked }
        flock(fd, LOCK_UN)
        close(fd)
        try Dataset.write(Toys.s4, to: fresh)
        #expect(try Dataset.open(fresh).manifest.version == 2)
    }

    /// pyarrow, polars and DuckDB read the folder as it is, and agree with the manifest.
    @Test func otherToolsReadTheFolder() throws {
        let h = try TestData.hif("lesmis.hif.json")
        let root = try DatasetTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Dataset.write(h, to: root, options: DatasetWriteOptions(shards: 3))
        let output = try Oracle.run("dataset_oracle.py", input: Data(), arguments: [root])
        let report = try JSONParser.parse(String(decoding: output, as: UTF8.self)).objectValue!
        for tool in ["pyarrow", "polars", "duckdb"] {
            let counts = report[tool]!.objectValue!
            #expect(counts["incidences"]?.numberValue == Double(h.incidenceCount), "\(tool)")
            #expect(counts["nodes"]?.numberValue == Double(h.nodeCount), "\(tool)")
            #expect(counts["edges"]?.numberValue == Double(h.edgeCount), "\(tool)")
            #expect(counts["distinct_edges"]?.numberValue == Double(h.edgeCount), "\(tool)")
        }
        // And Anant's own query engine over the shards agrees.
        let degrees = try dataset.scan(.incidences).groupBy(["node"], [Aggregation(.count, as: "degree")]).collect()
        #expect(degrees.rowCount == h.nodeCount)
    }
}

/// Leftovers of interrupted writers: the next writer removes staging folders, temporary
/// files and version folders that were never published, whatever process left them.
@Suite struct DatasetLeftoverTests {
    @Test func theNextWriterRemovesEveryLeftover() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("ds").path
        let h = try TestData.hif("lesmis.hif.json")
        try Dataset.write(h, to: root)
        // A writer killed after moving its version folder in but before its manifest; a
        // staging folder and temporary files (one named with this very process's id).
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/v00002/incidences", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/.staging-v00002-999999", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/._manifest.json.tmp-\(getpid())-12345", contents: Data([1]))
        fm.createFile(atPath: root + "/_versions/.v00002.json.tmp-999999-7", contents: Data([1]))
        #expect(Set(Dataset.leftovers(root).map { URL(fileURLWithPath: $0).lastPathComponent }).isSuperset(of: ["v00002", ".staging-v00002-999999"]))
        let second = try Dataset.write(h, to: root)
        #expect(second.manifest.version == 2)
        let names = try fm.contentsOfDirectory(atPath: root) + fm.contentsOfDirectory(atPath: root + "/_versions")
        #expect(names.filter { $0.hasPrefix(".staging-") || $0.contains(".tmp-") }.isEmpty, "left: \(names)")
        #expect(Dataset.leftovers(root).isEmpty)
        let reopened = try Dataset.open(root)
        try reopened.verify()
        #expect(try reopened.hypergraph().incidenceCount == h.incidenceCount)
    }
}
