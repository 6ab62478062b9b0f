import ArgumentParsing
import Foundation
import NGCPCore

AllocatorSettings.apply()
let arguments = Array(CommandLine.arguments.dropFirst())
let exitCode = await NGCPCtl.run(arguments)
exit(exitCode.rawValue)
