import ArgumentParsing
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let exitCode = await NGCPCtl.run(arguments)
exit(exitCode.rawValue)
