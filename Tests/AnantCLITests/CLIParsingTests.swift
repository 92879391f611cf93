import AnantOperations
import ArgumentParser
import Testing
@testable import anant

/// Argument parsing, tested from argument arrays.
@Suite struct CLIParsingTests {
    @Test func parsesDegreeOptions() throws {
        let command = try #require(try Anant.parseAsRoot(["degree", "h.json", "--s", "2", "--max-size", "5", "--node", "JV", "--node", "7", "--format", "json"]) as? DegreeCommand)
        #expect(command.common.input == "h.json")
        #expect(command.sOption.s == 2)
        #expect(command.maxSize == 5)
        #expect(command.nodes == ["JV", "7"])
        #expect(command.common.format == .json)
    }

    @Test(arguments: [
        ["degree", "h.json", "--s", "0"],
        ["degree", "h.json", "--max-size", "0"],
        ["neighbors", "h.json"],
        ["edge-neighbors", "h.json", "--s", "-1", "--edge", "1"],
        ["collapse", "h.json"],
        ["collapse", "h.json", "--edges", "--nodes"],
        ["restrict", "h.json", "--nodes", "a", "--edges", "b", "--out", "o.json"],
        ["restrict", "h.json", "--out", "o.json"],
        ["info", "h.json", "--node", "a", "--edge", "b"],
        ["report", "h.json", "--format", "xml"],
        ["report"],
        ["dual", "h.json"],
    ])
    func refusesBadArguments(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try Anant.parseAsRoot(arguments) }
    }

    @Test func splitsIdLists() throws {
        #expect(IDArguments.split(["a,b", "c,,d"]) == ["a", "b", "c", "d"])
        #expect(ElementReference.resolve("\"42\"", exists: { _ in true }) == .string("42"))
        #expect(ElementReference.resolve("42", exists: { _ in true }) == .int(42))
        #expect(ElementReference.resolve("42", exists: { _ in false }) == .string("42"))
        #expect(ElementReference.resolve("042", exists: { _ in true }) == .string("042"))
    }
}
