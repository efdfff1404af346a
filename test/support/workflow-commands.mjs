// How the GitHub runner reads a step's output, for tests: which lines it obeys as workflow
// commands and what the log then shows. Written from actions/runner's ActionCommandManager and
// ActionCommand (src/Runner.Worker): lines split at \r\n, \r or \n; a command is `::name props::data`
// after leading whitespace (or the legacy `##[name props]data` anywhere in the line) naming a
// registered command, case-insensitively; `::stop-commands::TOKEN` makes it obey nothing until a
// line that is the command TOKEN; `::add-mask::v` hides v in every later line.

const REGISTERED = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
]

const unescapeData = s => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProperty = s => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','))

function parseV2(line, registered) {
  const message = line.trimStart()
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const properties = {}
  if (space > 0) {
    for (const p of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = p.indexOf('=')
      if (eq > 0) properties[p.slice(0, eq)] = unescapeProperty(p.slice(eq + 1))
    }
  }
  return { name: name.toLowerCase(), properties, data: unescapeData(message.slice(end + 2)) }
}

function parseV1(line, registered) {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const close = line.indexOf(']', start)
  if (close < 0) return undefined
  const info = line.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  return { name: name.toLowerCase(), properties: {}, data: line.slice(close + 1) }
}

/**
 * { commands (obeyed, in order), annotations [{level, message, properties}], masks, shown (the
 * log's lines, masked as the runner masks them: only by masks registered before the line) }.
 */
export function readAsRunner(output) {
  const registered = new Set(REGISTERED)
  const commands = []
  const annotations = []
  const masks = []
  const shown = []
  let stopToken = null
  const show = line => {
    let text = line
    for (const m of masks) text = text.split(m).join('***')
    shown.push(text)
  }
  for (const line of output.split(/\r\n|\r|\n/)) {
    const cmd = parseV2(line, registered) ?? parseV1(line, registered)
    if (!cmd) {
      show(line)
      continue
    }
    if (stopToken !== null) {
      if (cmd.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase())
        stopToken = null
      }
      show(line) // not obeyed: shown as it is
      continue
    }
    commands.push(cmd)
    if (cmd.name === 'stop-commands') {
      stopToken = cmd.data
      registered.add(stopToken.toLowerCase())
      show(line)
    } else if (cmd.name === 'add-mask') {
      if (cmd.data.trim() !== '') masks.push(cmd.data)
    } else if (['error', 'warning', 'notice'].includes(cmd.name)) {
      annotations.push({ level: cmd.name, message: cmd.data, properties: cmd.properties })
      show(cmd.data)
    }
  }
  return { commands, annotations, masks, shown, stillStopped: stopToken !== null }
}
