import ArgumentParser
import FeatureSpeedCLI
import Foundation
import Testing
import _TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("featurespeed plot, end to end")
struct PlotCommandTests {
  /// Two runs × three steps × two layers of two quantities, plus a network-wide row.
  static let measurements = """
    run,step,layer,quantity,value
    a,0,1,feature_rms,1.0
    a,0,2,feature_rms,2.0
    a,0,1,bfa_cos,0.5
    a,0,2,bfa_cos,0.25
    a,10,1,feature_rms,1.5
    a,10,2,feature_rms,nan
    a,10,1,bfa_cos,0.4
    a,10,2,bfa_cos,0.2
    a,20,1,feature_rms,2.0
    a,20,2,feature_rms,3.0
    b,0,1,feature_rms,1.2
    b,0,2,feature_rms,2.2
    b,10,1,feature_rms,1.7
    b,10,2,feature_rms,2.7
    b,20,1,feature_rms,2.2
    b,20,2,feature_rms,3.2
    a,0,,loss_decay_first_order,0.01

    """

  func withMeasurements(_ body: (URL) throws -> Void) throws {
    try withTemporaryDirectory { (directory: URL) throws in
      try Data(Self.measurements.utf8).write(to: directory.appendingPathComponent("measurements.csv"))
      try body(directory)
    }
  }

  /// Parses `arguments` as the root command does, validates, and runs.
  func run(_ arguments: [String]) throws {
    var command = try FeatureSpeedCommand.parseAsRoot(arguments)
    try command.run()
  }

  @Test("--quantity on a measurements.csv writes a well-formed SVG labeled with the quantity")
  func quantity() throws {
    try withMeasurements { (directory: URL) throws in
      let csv = directory.appendingPathComponent("measurements.csv").path
      let output = directory.appendingPathComponent("rms.svg")
      try run(["plot", csv, "--quantity", "feature_rms", "--over", "run", "--log-y", "--output", output.path])
      #expect(try isWellFormedXML(output))
      let svg = String(decoding: try contents(of: output), as: UTF8.self)
      #expect(svg.contains("feature_rms — rms(F<tspan baseline-shift=\"sub\" font-size=\"75%\">ℓ</tspan>)"))  // a subscript, not F_ℓ
      #expect(svg.contains("value: 1 non-finite value not shown (first: nan on line 7)."))
    }
  }

  @Test("The μTransfer figure from a sweep's cells.csv: diverged cells (status column) become ×, unless --diverged-where none")
  func transferFigure() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      let cells = """
        preset,width,learning-rate,seed,status,test_loss
        sp,64,0.01,0,completed,2.0
        sp,64,0.1,0,completed,1.0
        sp,64,1,0,diverged,1e36
        sp,128,0.01,0,completed,2.1
        sp,128,0.1,0,completed,0.9
        sp,128,1,0,completed,1.5
        mup,64,0.01,0,completed,2.0
        mup,64,0.1,0,completed,1.0
        mup,64,1,0,completed,1.2

        """
      let csv = directory.appendingPathComponent("cells.csv")
      try Data(cells.utf8).write(to: csv)
      let output = directory.appendingPathComponent("transfer.svg")
      let common = ["plot", csv.path, "--x", "learning-rate", "--y", "test_loss", "--series", "width", "--over", "seed",
                    "--facet", "preset", "--log-x", "--log-y", "--output", output.path]
      try run(common)
      let svg = String(decoding: try contents(of: output), as: UTF8.self)
      #expect(svg.contains("class=\"diverged\"") && svg.contains("1 run diverged") && !svg.contains("10³⁶"))
      #expect(svg.contains(">preset = mup</text>") && svg.contains(">preset = sp</text>"))
      try run(common + ["--diverged-where", "none"])
      let plain = String(decoding: try contents(of: output), as: UTF8.self)
      #expect(!plain.contains("class=\"diverged\""))
      #expect(throws: (any Error).self) { try run(common + ["--diverged-where", "status"]) }
    }
  }

  @Test("Explicit columns, filters, facets and bands")
  func explicitColumns() throws {
    try withMeasurements { (directory: URL) throws in
      let csv = directory.appendingPathComponent("measurements.csv").path
      let output = directory.appendingPathComponent("bfa.svg")
      try run([
        "plot", csv, "--x", "step", "--y", "value", "--where", "quantity=bfa_cos", "--where", "layer=1,2",
        "--series", "run", "--facet", "layer", "--band", "none", "--title", "BFA <&> \"x\"", "--output", output.path,
      ])
      #expect(try isWellFormedXML(output))
      let svg = String(decoding: try contents(of: output), as: UTF8.self)
      #expect(svg.contains("layer = 1") && svg.contains("layer = 2") && svg.contains("BFA &lt;&amp;&gt; &quot;x&quot;"))
    }
  }

  @Test("A bad --y is a validation error naming the available columns")
  func unknownColumn() throws {
    try withMeasurements { (directory: URL) throws in
      let csv = directory.appendingPathComponent("measurements.csv").path
      let arguments = ["plot", csv, "--x", "step", "--y", "valu", "--output", directory.appendingPathComponent("x.svg").path]
      do {
        _ = try FeatureSpeedCommand.parseAsRoot(arguments)
        Issue.record("expected a validation error")
      } catch {
        let message = FeatureSpeedCommand.message(for: error)
        #expect(FeatureSpeedCommand.exitCode(for: error) == .validationFailure)
        #expect(message.contains("Unknown column 'valu'"), "\(message)")
        #expect(message.contains("Did you mean 'value'?"))
        #expect(message.contains("run, step, layer, quantity, value"))
      }
      #expect(try fileNames(in: directory) == ["measurements.csv"])
    }
  }

  @Test(
    "Option mistakes are validation errors that say how to fix them",
    arguments: [
      (["--quantity", "feature_rms", "--y", "value"], "either --quantity"),
      (["--x", "step"], "--y COLUMN"),
      (["--y", "value"], "--x COLUMN"),
      (["--quantity", "feature_rmz"], "Unknown quantity 'feature_rmz'"),
      (["--quantity", "bfa_cos", "--where", "layer"], "Invalid filter 'layer'"),
      (["--quantity", "bfa_cos", "--series", "run,"], "empty column name"),
    ])
  func badOptions(_ options: [String], phrase: String) throws {
    try withMeasurements { (directory: URL) throws in
      let csv = directory.appendingPathComponent("measurements.csv").path
      do {
        _ = try FeatureSpeedCommand.parseAsRoot(["plot", csv] + options + ["--output", directory.appendingPathComponent("x.svg").path])
        Issue.record("expected a validation error for \(options)")
      } catch {
        #expect(FeatureSpeedCommand.exitCode(for: error) == .validationFailure)
        #expect(FeatureSpeedCommand.message(for: error).contains(phrase), "\(FeatureSpeedCommand.message(for: error))")
      }
    }
  }

  @Test("Data errors exit with status 1 and one message; warnings go to standard error")
  func binary() throws {
    try withMeasurements { (directory: URL) throws in
      let csv = directory.appendingPathComponent("measurements.csv").path
      let output = directory.appendingPathComponent("rms.svg").path
      let ok = try FeatureSpeedBinary.run(["plot", csv, "--quantity", "feature_rms", "--over", "run", "--output", output])
      #expect(ok.status == 0, "\(ok.error)")
      #expect(ok.output.contains("Wrote \(output): 2 series, 6 points from 17 rows."))
      #expect(ok.error.contains("warning: value: 1 non-finite value not shown"))

      let ambiguous = try FeatureSpeedBinary.run(["plot", csv, "--quantity", "feature_rms", "--output", output])
      #expect(ambiguous.status == 1)
      #expect(ambiguous.error.contains("differ in run") && ambiguous.error.contains("--over"), "\(ambiguous.error)")

      let ragged = directory.appendingPathComponent("ragged.csv")
      try Data("step,value\n0,1\n1\n".utf8).write(to: ragged)
      let result = try FeatureSpeedBinary.run(["plot", ragged.path, "--x", "step", "--y", "value", "--output", output])
      #expect(result.status == 1)
      #expect(result.error.contains("line 3: 1 fields, expected 2"), "\(result.error)")

      let missing = try FeatureSpeedBinary.run(["plot", "/nonexistent/m.csv", "--x", "step", "--y", "value", "--output", output])
      #expect(missing.status == 1 && missing.error.contains("No such file: /nonexistent/m.csv"))
    }
  }
}
