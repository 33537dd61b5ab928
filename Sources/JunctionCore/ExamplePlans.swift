/// The example plans shipped in `plans/`, built into the binary so that
/// `junction plan example NAME` works anywhere. A test checks that these texts
/// and the files in `plans/` are identical.
public enum ExamplePlans {
    public static let names = ["crossroads", "corridor"]

    public static func text(named name: String) -> String? {
        switch name {
        case "crossroads": crossroads
        case "corridor": corridor
        default: nil
        }
    }

    public static let crossroads = #"""
{
  "name": "crossroads",
  "description": "A four-approach crossroads: north-south against east-west, then an all-walk pedestrian phase.",
  "sequence": "uk",
  "timing": { "amber": 3, "redAmber": 2, "allRed": 2, "minGreen": 7 },
  "groups": ["north-south", "east-west", "walk"],
  "conflicts": [
    ["north-south", "east-west"],
    ["north-south", "walk"],
    ["east-west", "walk"]
  ],
  "phases": [
    { "name": "north-south", "green": ["north-south"], "seconds": 12 },
    { "name": "east-west", "green": ["east-west"], "seconds": 12 },
    { "name": "all-walk", "green": ["walk"], "seconds": 7 }
  ],
  "junctions": [{ "name": "main" }],
  "heads": [
    { "junction": "main", "group": "north-south" },
    { "junction": "main", "group": "east-west" },
    { "junction": "main", "group": "walk" },
    { "junction": "main", "group": "north-south" },
    { "junction": "main", "group": "east-west" }
  ],
  "scaling": "mirror",
  "flash": "red"
}

"""#

    public static let corridor = #"""
{
  "name": "corridor",
  "description": "Four junctions 300 m apart on a main road; a car at 50 km/h meets green at each.",
  "sequence": "uk",
  "timing": { "amber": 3, "redAmber": 2, "allRed": 2, "minGreen": 7 },
  "groups": ["main", "side"],
  "conflicts": [["main", "side"]],
  "phases": [
    { "name": "main-road", "green": ["main"], "seconds": 30 },
    { "name": "side-road", "green": ["side"], "seconds": 12 }
  ],
  "corridor": { "junctions": 4, "spacingMetres": 300, "speedKmh": 50, "namePrefix": "j" },
  "heads": [
    { "junction": "j0", "group": "main" },
    { "junction": "j1", "group": "main" },
    { "junction": "j2", "group": "main" },
    { "junction": "j3", "group": "main" }
  ],
  "scaling": "extend",
  "flash": "amber"
}

"""#
}
