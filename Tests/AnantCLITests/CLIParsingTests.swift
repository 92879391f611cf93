import AnantHypergraph
import AnantOperations
import AnantTestSupport
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

    /// Every command, mistyped the usual ways (a letter dropped, doubled, swapped with its
    /// neighbour, or the start of the name), is named back; words near no command get no guess.
    @Test func mistypedCommandsGetTheNearestCommand() {
        let names = Anant.configuration.subcommands.map { $0._commandName }
        for name in names {
            #expect(Anant.unknownCommand(in: [name, "h.json"]) == nil)
            var typos = [String]()
            let letters = Array(name)
            if letters.count > 3 { typos.append(String(letters.enumerated().filter { $0.offset != 2 }.map(\.element))) }
            typos.append(String(letters[0...1]) + String(letters[1...]))
            if letters.count > 3 {
                var swapped = letters
                swapped.swapAt(1, 2)
                if swapped != letters { typos.append(String(swapped)) }
            }
            for typo in typos where !names.contains(typo) {
                #expect(Anant.unknownCommand(in: [typo]) == typo)
                let guess = Anant.suggestion(for: typo)
                #expect(guess != nil, "\(typo) for \(name)")
                #expect(guess.map { Anant.editDistance(Array(typo), Array($0)) <= Anant.editDistance(Array(typo), Array(name)) } ?? false,
                        "\(typo): guessed \(guess ?? "nothing") for \(name)")
            }
        }
        #expect(Anant.suggestion(for: "reprot") == "report")
        #expect(Anant.suggestion(for: "comunities") == "communities")
        #expect(Anant.suggestion(for: "deg") == "degree")
        #expect(Anant.suggestion(for: "xylophone") == nil)
        #expect(Anant.unknownCommand(in: ["--version"]) == nil && Anant.unknownCommand(in: ["help", "report"]) == nil)
        #expect(Anant.unknownCommand(in: []) == nil)
    }

    /// Through the binary: a typo exits 64 with the guess on stderr and nothing on stdout;
    /// --version prints the version alone.
    @Test func theBinaryNamesTheNearestCommandAndItsVersion() throws {
        let typo = try TestData.anant(["reprot", "h.json"])
        #expect(typo.status == 64 && typo.stdout.isEmpty)
        #expect(typo.stderrText.contains("'reprot' is not an anant command. Did you mean 'report'?"))
        let version = try TestData.anant(["--version"])
        #expect(version.status == 0 && version.stdoutText == "0.1.0\n")
    }

    /// Comma lists split where the whole token is no id; an id holding commas names itself.
    @Test func splitsIdLists() throws {
        let h = try HIFReader.read(Array(#"{"incidences": [{"edge": "e", "node": "a"}, {"edge": "e", "node": "b"}, {"edge": "e", "node": "c,d"}, {"edge": "e", "node": 7}]}"#.utf8))
        func names(_ tokens: [String], lists: Bool = true) throws -> [String] {
            try ElementReference.nodes(tokens, in: h, lists: lists).map { h.nodes[$0].description }
        }
        #expect(try names(["a,b", "c,d", "b,,7"]) == ["a", "b", "c,d", "b", "7"])
        #expect(throws: HypergraphError.self) { try names(["a,b"], lists: false) }
        #expect(throws: HypergraphError.self) { try names(["a,x"]) }
        #expect(throws: HypergraphError.self) { try names([",,"]) }
        #expect(ElementReference.resolve("\"42\"", exists: { _ in true }) == .string("42"))
        #expect(ElementReference.resolve("42", exists: { _ in true }) == .int(42))
        #expect(ElementReference.resolve("42", exists: { _ in false }) == .string("42"))
        #expect(ElementReference.resolve("042", exists: { _ in true }) == .string("042"))
    }
}
