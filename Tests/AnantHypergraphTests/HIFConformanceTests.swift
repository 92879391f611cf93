import AnantColumnar
import AnantHypergraph
import AnantTestSupport
import Foundation
import Testing

/// The HIF conformance suite: every compliant file loads; every non-compliant file is
/// refused with a message naming the offending key or value.
@Suite struct HIFConformanceTests {
    static let compliant = (try? TestData.files(in: "hif/compliant").map(\.lastPathComponent)) ?? []
    static let nonCompliant = (try? TestData.files(in: "hif/non-compliant").map(\.lastPathComponent)) ?? []

    @Test func suiteIsComplete() throws {
        #expect(Self.compliant.count == 15)
        #expect(Self.nonCompliant.count == 16)
    }

    @Test(arguments: compliant)
    func compliantFileLoads(_ name: String) throws {
        let h = try HIFReader.read(try TestData.bytes(TestData.fixture("hif/compliant/\(name)")))
        // Loading again from our own export gives the same hypergraph.
        #expect(try HIFReader.read(HIFWriter.write(h)) == h)
    }

    /// What each refusal must mention: the offending key or value.
    static let expectedMention: [String: String] = [
        "bad_edge_field.json": "\"test\"",
        "bad_edge_without_id.json": "\"edge\"",
        "bad_incidence_field.json": "\"test\"",
        "bad_network_type.json": "badnt",
        "bad_node_field.json": "\"test\"",
        "bad_node_float.json": "1.23",
        "bad_node_without_id.json": "\"node\"",
        "bad_top_level_field.json": "\"test\"",
        "empty.json": "\"incidences\"",
        "extra_fields_with_direction.json": "\"extra_field\"",
        "invalid_direction_value.json": "invalid_value",
        "metadata_as_list.json": "\"metadata\"",
        "missing_required_field_incidence.json": "\"node\"",
        "missing_required_fields_with_direction.json": "\"edge\"",
        "single_incidence_with_direction_not_in_enum.json": "side",
        "single_incidence_with_weight_as_string.json": "hello",
    ]

    @Test(arguments: nonCompliant)
    func nonCompliantFileIsRefused(_ name: String) throws {
        let bytes = try TestData.bytes(TestData.fixture("hif/non-compliant/\(name)"))
        let error = try #require(throws: HypergraphError.self) { try HIFReader.read(bytes) }
        #expect(error.code == .invalidHIF)
        let mention = try #require(Self.expectedMention[name], "no expectation for \(name)")
        #expect(error.message.contains(mention), "\(name): \(error.message)")
    }

    @Test func specificContents() throws {
        let fixture = { (name: String) throws -> Hypergraph in
            try HIFReader.read(try TestData.bytes(TestData.fixture("hif/compliant/\(name)")))
        }
        let duplicated = try fixture("duplicated_nodes_edges.json")
        #expect(duplicated.nodeCount == 1 && duplicated.edgeCount == 1 && duplicated.incidenceCount == 1)
        let nested = try fixture("metadata_with_deeply_nested_attributes.json")
        // Edge 1 and node 2 from the incidence; node "n1" isolated and edge "e1" empty, as listed.
        #expect(nested.nodes.ids == [2, "n1"])
        #expect(nested.edges.ids == [1, "e1"])
        #expect(nested.edgeMembers.count(nested.e("e1")) == 0)
        #expect(nested.nodeProperty("nested_attr", node: nested.n("n1")) == .json(.object(JSONObject([("key1", .string("value1"))]))))
        let weighted = try fixture("single_incidence_with_weights.json")
        #expect(weighted.incidenceWeights() == [-2])
        let head = try fixture("valid_incidence_head.json")
        #expect(head.networkType == .directed)
        #expect(try head.incidenceProperties.column(named: "direction")[0] == .string("head"))
        let attrs = try fixture("single_node_with_attrs.json")
        // An attribute named like the weight field is kept apart from the node weight.
        #expect(attrs.nodeWeights() == [1])
        #expect(attrs.nodeProperty("attrs.weight", node: 0) == .int(2))
        #expect(attrs.nodeProperty("online", node: 0) == .bool(true))
        #expect(try fixture("empty_hypergraph.json").nodeCount == 0)
    }

    @Test(arguments: [
        ("[]", "must be a JSON object"),
        ("{\"incidences\": {}}", "\"incidences\" must be an array"),
        ("{\"incidences\": [1]}", "incidences[0] must be an object"),
        ("{\"incidences\": [{\"edge\": true, \"node\": 1}]}", "incidences[0].edge must be a string or an integer"),
        ("{\"incidences\": [{\"edge\": 1, \"node\": 1, \"attrs\": []}]}", "incidences[0].attrs must be an object"),
        ("{\"incidences\": [], \"nodes\": [{\"node\": 1, \"weight\": null}]}", "nodes[0].weight must be a number"),
        ("{\"incidences\": [], ", "invalid JSON at line 1"),
        ("{\"incidences\": [\n{\"edge\": 1,\n \"node\": 2,}]}", "line 3"),
    ])
    func malformedDocuments(text: String, mention: String) throws {
        let error = try #require(throws: HypergraphError.self) { try HIFReader.read(Array(text.utf8)) }
        #expect(error.message.contains(mention), "\(error.message)")
    }
}
