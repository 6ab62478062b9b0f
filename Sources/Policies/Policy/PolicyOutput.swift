import NGCPCore

extension PolicyViolation {
    /// The violation as a JSON object with the API's snake_case style of names.
    public var jsonValue: JSONValue {
        [
            "rule": .string(rule),
            "severity": .string(severity.rawValue),
            "resource": resource.map { .string($0.description) } ?? .null,
            "operation_id": operationID.map(JSONValue.int) ?? .null,
            "message": .string(message),
            "value": value ?? .null,
            "evaluation_error": .bool(isEvaluationError),
            "rule_location": ruleLocation.map { .string($0.description) } ?? .null,
        ]
    }
}

extension PolicyWaiver: CustomStringConvertible {
    /// `waived rule-name (subscribers/a@b, operation 3): reason`
    public var description: String {
        var scope: [String] = []
        if let resource = violation.resource { scope.append(resource.description) }
        if let operationID = violation.operationID { scope.append("operation \(operationID)") }
        let scopeText = scope.isEmpty ? "" : " (\(scope.joined(separator: ", ")))"
        return "waived \(violation.rule)\(scopeText): \(reason)"
    }

    public var jsonValue: JSONValue {
        [
            "violation": violation.jsonValue,
            "reason": .string(reason),
            "annotated_resource": .string(annotatedResource.description),
        ]
    }
}

extension PolicyResult {
    /// The result as `{"violations": [...], "waivers": [...], "denied": bool}`.
    public var jsonValue: JSONValue {
        [
            "violations": .array(violations.map(\.jsonValue)),
            "waivers": .array(waivers.map(\.jsonValue)),
            "denied": .bool(isDenied),
        ]
    }
}
