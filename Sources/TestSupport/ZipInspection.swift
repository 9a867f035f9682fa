import Foundation
import LocalPostgres

/// A zip file read by an independent implementation, Python's `zipfile` (tools/setup installs
/// python3): every entry's CRC checked (`testzip`), then each entry's name, modification time
/// and text. A test of our writer against our own reader would prove only that they agree.
public struct InspectedZipEntry: Sendable, Decodable, Equatable {
    public var name: String
    /// "YYYY-MM-DD HH:MM:SS" as stored (UTC, 2-second steps).
    public var modified: String
    /// The content as UTF-8 (invalid bytes replaced), its size and the sum of its bytes.
    public var text: String
    public var size: Int
    public var byteSum: UInt32
}

public func inspectZip(_ archive: [UInt8]) throws -> [InspectedZipEntry] {
    let file = FileManager.default.temporaryDirectory.appending(path: "inspect-\(UUID().uuidString).zip")
    try Data(archive).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let script = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip()
            if bad is not None:
                sys.exit("bad CRC in " + bad)
            entries = []
            for i in z.infolist():
                data = z.read(i)
                entries.append({"name": i.filename, "modified": "%04d-%02d-%02d %02d:%02d:%02d" % i.date_time,
                                "text": data.decode("utf-8", "replace"), "size": len(data),
                                "byteSum": sum(data) & 0xFFFFFFFF})
            print(json.dumps(entries))
        """
    let (output, errors) = (Printed(), Printed())
    let child = try ChildProcess(
        "/usr/bin/env",
        ["python3", "-c", script, file.path],
        output: output.destination,
        errors: errors.destination
    )
    child.waitUntilExit()
    child.waitForOutput()
    guard child.shellStatus == 0 else {
        throw ZipInspectionError(description: "python3 zipfile refused the archive: \(errors.text)")
    }
    let data = Data(output.text.utf8)
    return try JSONDecoder().decode([InspectedZipEntry].self, from: data)
}

public struct ZipInspectionError: Error, CustomStringConvertible {
    public var description: String
}
