// The file-system access of the data loaders, in one place (with SafetensorsFile's JSON header
// decoding, the only Foundation use of this module).
import Foundation

/// The bytes of the file at `path`.
/// - Throws: `DataError.unreadableFile` with the system's reason.
func readFileBytes(atPath path: String) throws -> [UInt8] {
  do {
    let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    return [UInt8](data)
  } catch {
    throw DataError.unreadableFile(path: path, reason: (error as NSError).localizedDescription)
  }
}

/// Whether `path` names an existing directory (following symbolic links).
func directoryExists(atPath path: String) -> Bool {
  var isDirectory: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}

/// Whether `path` names an existing regular file (or a link to one).
func fileExists(atPath path: String) -> Bool {
  var isDirectory: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
}

/// `path` made absolute against the current directory and standardized (`.`/`..` removed), for
/// provenance records.
func absolutePath(_ path: String) -> String {
  URL(fileURLWithPath: path).standardizedFileURL.path
}

/// `directory/name`.
func joinPath(_ directory: String, _ name: String) -> String {
  directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
