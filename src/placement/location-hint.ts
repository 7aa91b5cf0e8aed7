/** Cloudflare's Durable Object location hints (docs: "Data location"). */
export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

/** Countries Cloudflare's `me` region serves; the rest of Asia is `apac`. */
const MIDDLE_EAST = new Set(["AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "YE"]);

/** The fields of `request.cf` placement needs (absent under some local runtimes). */
export interface CallerLocation {
  continent?: string;
  country?: string;
  longitude?: string;
}

/**
 * The region nearest the caller, from the continent the platform reports; the
 * two North American and European regions split by longitude (-100° runs
 * through the Great Plains, 15° east between Berlin and Warsaw). Undefined when
 * the platform says nothing, and the object is then placed wherever it is first used.
 */
export function hintFromLocation(cf: CallerLocation | undefined): LocationHint | undefined {
  const longitude = Number(cf?.longitude);
  switch (cf?.continent) {
    case "NA":
      return Number.isFinite(longitude) && longitude < -100 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return Number.isFinite(longitude) && longitude >= 15 ? "eeur" : "weur";
    case "AS":
      return cf.country && MIDDLE_EAST.has(cf.country) ? "me" : "apac";
    case "OC":
      return "oc";
    case "AF":
      return "afr";
    default:
      return undefined;
  }
}

export function isLocationHint(text: string): text is LocationHint {
  return (LOCATION_HINTS as readonly string[]).includes(text);
}

/** The hint for a request's caller, from what the platform put in `request.cf`. */
export function hintForRequest(req: Request): LocationHint | undefined {
  return hintFromLocation(req.cf as CallerLocation | undefined);
}
