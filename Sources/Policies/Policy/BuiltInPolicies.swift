// Generated from the files in policies/ by BuiltInPackTests; regenerate with
// NGCPCTL_RECORD_BUILTIN_POLICIES=1 swift test --filter BuiltInPackTests
// after changing one of them.

/// The built-in policy pack, compiled in so that it needs no installed files.
enum BuiltInPolicies {
    static let documents: [(path: String, text: String)] = [
        (
            "builtin:callforwards.yaml",
            #"""
            # Built-in rules for call forward destinations.
            #
            # Destinations are compared in international form without '+': e164() strips
            # sip:/sips:/tel: and the domain, turns '+CC...' and '00CC...' into 'CC...', and
            # prefixes national numbers ('0...') with the country_code parameter. Keywords such as
            # 'voicebox' are never numbers.
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: callforward-premium-rate
                description: A call forward must not send calls to a premium-rate number.
                severity: deny
                match:
                  resources: [callforwards]
                  actions: [create, update]
                parameters:
                  # Applied to national numbers (a single leading 0).
                  country_code: "43"
                  # Premium-rate ranges in international form; extend for the countries you serve.
                  prefixes: ["43900", "43901", "43930", "43931", "43939", "49900", "49137", "449"]
                value: >
                  operation.body.map(t, type(operation.body[t]) == map
                      && "destinations" in operation.body[t],
                    operation.body[t].destinations.map(d, "destination" in d, d.destination))
                  .flatten()
                  .filter(d, params.prefixes.exists(p, e164(d, params.country_code).startsWith(p)))
                condition: size(value) > 0
                message: "call forward to premium-rate number {{ value }}"

              - name: callforward-international
                description: >-
                  A call forward to a number outside the allowed countries costs international rates
                  and is a common fraud pattern.
                severity: warn
                match:
                  resources: [callforwards]
                  actions: [create, update]
                parameters:
                  country_code: "43"
                  allowed_country_codes: ["43"]
                  # Shorter numbers are extensions or service numbers, not international numbers.
                  min_digits: 8
                value: >
                  operation.body.map(t, type(operation.body[t]) == map
                      && "destinations" in operation.body[t],
                    operation.body[t].destinations.map(d, "destination" in d, d.destination))
                  .flatten()
                  .filter(d, size(e164(d, params.country_code)) >= params.min_digits
                    && !params.allowed_country_codes.exists(c,
                      e164(d, params.country_code).startsWith(c)))
                condition: size(value) > 0
                message: "call forward to international number {{ value }}"

            """#
        ),
        (
            "builtin:passwords.yaml",
            #"""
            # Built-in rules for subscriber passwords and secret preferences (peer_auth_pass).
            #
            # Policies never see a password. The plan body carries a placeholder that names where
            # the value comes from, and the caller adds derived facts to the desired subscriber:
            # password_length, password_equals_username, password_equals_field, and the same three
            # for webpassword.
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: literal-password
                description: >-
                  A password written into a manifest ends up in git history; read it from
                  {env: NAME} or {file: PATH} instead.
                severity: deny
                match:
                  resources: [subscribers, subscriberpreferences]
                  actions: [create, update]
                # A subscriber's create body holds placeholders as members; an update body and a
                # preferences body are JSON Patches whose operations hold them as 'value'.
                value: >
                  (type(operation.body) == map
                    ? operation.body.map(k, operation.body[k])
                    : type(operation.body) == list
                      ? operation.body.map(p, type(p) == map && "value" in p, p.value)
                      : [])
                  .filter(v, type(v) == map && "$ngcpctl" in v && v["$ngcpctl"] == "secret"
                    && "source" in v && v.source == "literal")
                  .map(v, "field" in v ? v.field : "password")
                condition: size(value) > 0
                message: >-
                  {{ value }} is written literally in the manifest; use {env: NAME} or {file: PATH}

              - name: weak-password
                description: >-
                  A password must have a minimum length and must differ from the username and
                  the webusername.
                severity: deny
                match:
                  resources: [subscribers]
                  actions: [create, update]
                parameters:
                  min_length: 12
                # One sentence per weakness. A plan file without the _equals_field facts (a
                # hand-written test file, say) has only _equals_username, true for either name.
                value: >
                  desired == null ? [] :
                  ["password", "webpassword"]
                    .filter(f, f + "_length" in desired
                      && desired[f + "_length"] < params.min_length)
                    .map(f, f + " is shorter than " + string(params.min_length) + " characters")
                  + ["password", "webpassword"]
                    .filter(f, f + "_equals_username" in desired
                      && desired[f + "_equals_username"] == true)
                    .map(f, f + " equals the " + (f + "_equals_field" in desired
                      ? desired[f + "_equals_field"] : "username or the webusername"))
                condition: size(value) > 0
                message: '{{ value.join("; ") }}'

            """#
        ),
        (
            "builtin:plan.yaml",
            #"""
            # Built-in rules for the plan as a whole.
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: too-many-removals
                description: >-
                  A plan that deletes or terminates many objects at once is more often a mistake (a
                  deleted manifest file, a wrong target) than intended.
                severity: deny
                scope: plan
                parameters:
                  max_removals: 5
                condition: plan.removals > params.max_removals
                message: >-
                  the plan deletes or terminates {{ plan.removals }} objects, more than the limit of
                  {{ params.max_removals }}

            """#
        ),
        (
            "builtin:preferences.yaml",
            #"""
            # Built-in rules for subscriber preferences. They read operation.changes, which lists
            # each preference the plan sets or removes with its live value (before) and desired
            # value (after).
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: block-in-clir-removal
                description: >-
                  Switching off block_in_clir lets calls with a withheld number through again; do it
                  only on purpose.
                severity: deny
                match:
                  resources: [subscriberpreferences]
                condition: >
                  operation.changes.exists(c, c.path == "block_in_clir"
                    && c.before == true && c.after != true)
                message: "block_in_clir would change from true to {{ operation.changes.filter(c,
                  c.path == 'block_in_clir').map(c, c.after) }}"

              - name: block-in-list-removal
                description: Removing entries from block_in_list unblocks callers.
                severity: warn
                match:
                  resources: [subscriberpreferences]
                value: >
                  operation.changes.filter(c, c.path == "block_in_list" && type(c.before) == list)
                  .map(c, c.before.filter(e, type(c.after) != list || !(e in c.after)))
                  .flatten()
                condition: size(value) > 0
                message: "block_in_list would lose {{ value }}"

              - name: concurrent-max-limit
                description: concurrent_max above the limit allows more parallel calls than sold.
                severity: deny
                match:
                  resources: [subscriberpreferences]
                  actions: [create, update]
                parameters:
                  max: 10
                value: >
                  operation.changes.filter(c, c.path == "concurrent_max" && type(c.after) == int
                    && c.after > params.max).map(c, c.after)
                condition: size(value) > 0
                message: "concurrent_max {{ value }} is above the limit of {{ params.max }}"

            """#
        ),
        (
            "builtin:subscribers.yaml",
            #"""
            # Built-in rules for subscribers.
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: subscriber-without-number
                description: >-
                  A subscriber without a primary or alias number cannot be called from outside.
                  A PBX extension counts: NGCP numbers it from the pilot's number.
                severity: warn
                match:
                  resources: [subscribers]
                  actions: [create, update]
                # The desired object when the caller supplies it, else the create body. A list with
                # one element binds it to a name.
                condition: >
                  (desired != null || type(operation.body) == map)
                  && [desired != null ? desired : operation.body].all(s,
                    (!("primary_number" in s) || s.primary_number == null)
                    && (!("alias_numbers" in s) || s.alias_numbers == null
                      || size(s.alias_numbers) == 0)
                    && (!("pbx_extension" in s) || s.pbx_extension == null))
                message: "subscriber {{ operation.name }} has no primary or alias number"

            """#
        ),
    ]
}
