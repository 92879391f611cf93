#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AnantColumnar

/// What interrupted writers leave behind: a `.staging-vNNNNN-PID` folder (the shards of a
/// version that was never published, hundreds of MB for a large import), temporary files
/// of durable writes (`DurableFile`, or `NAME.tmp-PID` links), and a version folder whose
/// manifest was never written (a writer killed between the two renames) or already removed
/// (`versions --remove` killed half-way). Readers never look at them; the next writer,
/// holding the lock, removes them.
extension Dataset {
    /// The leftovers of writers that are gone: staging folders and temporary files whose
    /// process is not running (paths under `root`).
    public static func leftovers(_ root: String) -> [String] {
        leftoverCandidates(root).filter { !DurableFile.isAlive($0.pid) }.map(\.path) + unpublishedVersions(root)
    }

    /// Version folders with no manifest in `_versions/`: never published, or half removed.
    static func unpublishedVersions(_ root: String) -> [String] {
        let published = Set(versions(root))
        return FileIO.list(root).sorted().filter { name in
            guard name.count == 6, name.hasPrefix("v"), let number = Int(name.dropFirst()), FileIO.isDirectory("\(root)/\(name)") else { return false }
            return !published.contains(number)
        }.map { "\(root)/\($0)" }
    }

    /// Every staging folder and temporary file under `root`, with its writer's process id.
    static func leftoverCandidates(_ root: String) -> [(path: String, pid: Int32)] {
        var found = [(String, Int32)]()
        for folder in [root, "\(root)/_versions"] {
            for name in FileIO.list(folder).sorted() {
                if name.hasPrefix(".staging-"), let pid = name.split(separator: "-").last.flatMap({ Int32($0) }) {
                    found.append(("\(folder)/\(name)", pid))
                } else if let pid = DurableFile.owner(ofTemporary: name) {
                    found.append(("\(folder)/\(name)", pid))
                } else if let marker = name.ranges(of: ".tmp-").last, let pid = Int32(name[marker.upperBound...]) {
                    found.append(("\(folder)/\(name)", pid))
                }
            }
        }
        return found
    }

    /// Removes every staging folder, temporary file and unpublished version folder. Only
    /// the holder of the writer lock may call it, before it writes anything: while it holds
    /// the lock no other writer runs (in this process or another), so all of them are stale,
    /// whatever process id their names carry.
    static func removeLeftovers(_ root: String) -> [String] {
        let stale = leftoverCandidates(root).map(\.path) + unpublishedVersions(root)
        for path in stale { FileIO.removeTree(path) }
        return stale
    }
}
