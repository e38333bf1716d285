// Whether a topic matches a subscription's filter (MQTT §4.7): `+` one level, `#` the rest,
// wildcards at the first level never match `$` topics, and a shared subscription
// (`$share/group/filter`) matches as its filter.

export function topicMatcher(filters: readonly string[]): (topic: string) => boolean {
  const tests = filters.map(filterTest);
  return tests.length === 1 ? tests[0]! : (topic) => tests.some((test) => test(topic));
}

function filterTest(filter: string): (topic: string) => boolean {
  if (filter.startsWith("$share/")) filter = filter.split("/").slice(2).join("/");
  if (!filter.includes("+") && !filter.includes("#")) return (topic) => topic === filter;
  const levels = filter.split("/");
  return (topic) => {
    if (topic.startsWith("$") && (levels[0] === "+" || levels[0] === "#")) return false;
    const parts = topic.split("/");
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if (level === "#") return true;
      if (i >= parts.length) return false;
      if (level !== "+" && level !== parts[i]) return false;
    }
    return parts.length === levels.length;
  };
}
