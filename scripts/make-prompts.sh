#!/usr/bin/env bash
# Generates the IVR prompts under ivr-flows/prompts/ as 8 kHz mono μ-law WAV (G.711 ready: the media
# engine converts them once at load to PCMU and PCMA payload, never while playing).
# Speech: espeak-ng, Mandarin voice `cmn-latn-pinyin`. Music and silence: sox `synth`.
# Not the plain `cmn` voice: in espeak-ng 1.51 (Debian 12) it turns each character into pinyin with a
# tone number and then reads that number in English ("nin two hao three"); `cmn-latn-pinyin` reads
# the same pinyin as Mandarin with its tones (check with `espeak-ng -v cmn-latn-pinyin -x '您好'`).
# Usage: scripts/make-prompts.sh [output-dir [name...]]   (needs espeak-ng and sox: apt-get install espeak-ng sox)
# With names, only those prompts are (re)generated, e.g. `scripts/make-prompts.sh ivr-flows/prompts supervision-intro`:
# espeak-ng output differs between versions, so adding prompts need not rewrite the existing ones.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/ivr-flows/prompts}"
mkdir -p "$out"
shift || true
only=("$@")

# True when this prompt is to be generated: every prompt without names, else only the named ones.
want() {
  local name="$1" n
  [ "${#only[@]}" -eq 0 ] && return 0
  for n in "${only[@]}"; do [ "$n" = "$name" ] && return 0; done
  return 1
}

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed" >&2; exit 1; }
done
if ! espeak-ng --voices=cmn | grep -q ' cmn-latn-pinyin '; then
  echo "make-prompts: espeak-ng has no Mandarin voice 'cmn-latn-pinyin'" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Speech prompt: espeak-ng at 22.05 kHz → trim leading/trailing silence → 8 kHz mono, normalised to
# -3 dBFS (espeak's output is quiet) → μ-law. Hotline numbers are read digit by digit, 1 as 幺 (yāo).
say() {
  local name="$1" text="$2"
  want "$name" || return 0
  espeak-ng -v cmn-latn-pinyin -s 150 -w "$tmp/$name.raw.wav" "$text"
  sox "$tmp/$name.raw.wav" -r 8000 -c 1 -e u-law "$out/$name.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.1 gain -n -3
}

say welcome '您好,欢迎致电幺二三四五政务服务便民热线。'
say menu '咨询请按1,投诉举报请按2,查询工单办理进度请按3,人工服务请按0。'
say branch-consult '您选择了咨询。'
say branch-complaint '您选择了投诉举报。'
say branch-progress '请输入您的工单编号,以井号键结束。'
say branch-agent '正在为您转接人工服务。'
# Progress self-service (工单进度查询): the order's details themselves are synthesised at run time (speak node).
say progress-offer-menu '收听最近一张请按1,查询其他工单请按2,人工服务请按0。'
say progress-after '重听请按1,人工服务请按0。'
say progress-not-found '未查到该工单。重新输入请按1,人工服务请按0。'
say progress-not-owner '为保护您的信息,该工单的办理情况请向话务员咨询。'
say invalid '您的输入有误,请重新选择。'
say no-input '您没有输入,请重新选择。'
say you-entered '您输入的是'
say goodbye '感谢您的来电,再见。'
# Fallback of the `speak` node (dynamic speech) when synthesis fails or is too slow.
say speech-unavailable '抱歉,暂时无法为您播报。'
say notice-press-1 '如您来电反映此事,请按1。'
say notice-goodbye '感谢您的反映,我们正在处理,再见。'
digits=(零 幺 二 三 四 五 六 七 八 九)
for i in "${!digits[@]}"; do
  say "digit-$i" "${digits[$i]}"
done
say star '星号'
say pound '井号'

# Queue (人工服务排队): position and expected wait are read as counts (一 两 三 …, not phone digits).
say queue-wait '话务员正忙,请您稍候,我们将尽快为您接通。'
say queue-position-before '您前面还有'
say queue-position-after '位来电者在等待。'
say queue-minutes-before '预计等待'
say queue-minutes-after '分钟。'
say callback-offer '如需稍后由我们给您回电,请按1;继续等待,请按其他键。'
say callback-confirmed '已为您登记回电,我们将尽快与您联系,再见。'
say agent-unavailable '很抱歉,现在没有话务员可以接听,请稍后再拨。'
# Night mode (issue 12): a queue outside its hours or with nobody logged in offers a callback or a message.
say night-offer '人工服务暂时无法接通。需要回电请按1,留言请按2。'
say message-start '请在提示音后留言,说完请按井号键。'
say message-saved '留言已收到,我们将尽快处理,再见。'
counts=(零 一 两 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十)
for i in "${!counts[@]}"; do
  say "count-$i" "${counts[$i]}"
done
say count-many '二十多'

# Automatic supervision calls (自动电话督办) to a handling unit's liaison: ivr-flows/supervision.yaml.
# The order code is read with digit-N (幺 for 1), the overdue working days with count-N.
say supervision-intro '这里是幺二三四五热线督办提醒。您单位承办的工单'
say supervision-overdue '已超期'
say supervision-days '个工作日,请尽快办理。'
say supervision-due-soon '即将到期,请抓紧办理。'
say supervision-press-1 '确认收到请按1。'
say supervision-thanks '感谢您的确认,再见。'
say supervision-no-ack '未收到您的确认,我们将稍后再次提醒,再见。'

# Satisfaction callbacks (回访) to residents: ivr-flows/survey.yaml.
say survey-intro '您好,这里是幺二三四五热线回访。关于您反映的问题,'
say survey-ask-resolution '问题已解决请按1,部分解决请按2,未解决请按3。'
say survey-ask-satisfaction '满意请按1,基本满意请按2,不满意请按3。'
say survey-thanks '感谢您的评价,祝您生活愉快,再见。'
say survey-redo '感谢您的评价,我们将督促承办单位重新办理,再见。'
say survey-no-rating '未收到您的评价,我们将稍后再与您联系,再见。'

# Hold music: a slow, soft pentatonic phrase of plucked notes (not speech), 10 s, peak -18 dBFS.
if want hold-music; then
notes=(C4 E4 G4 A4 G4 E4 D4 G3 C4 E4 G4 C5 A4 G4 E4 D4 C4 D4 E4 C4)
parts=()
for i in "${!notes[@]}"; do
  f="$tmp/note-$i.wav"
  sox -n -r 8000 -c 1 -b 16 "$f" synth 0.5 pluck "${notes[$i]}" fade q 0.01 0.5 0.3
  parts+=("$f")
done
sox "${parts[@]}" "$tmp/melody.wav"
sox "$tmp/melody.wav" -r 8000 -c 1 -e u-law "$out/hold-music.wav" \
  lowpass 2000 trim 0 10 gain -n -18
fi

# The tone before a message is recorded: 0.4 s of 1 kHz at -12 dBFS.
if want beep; then
  sox -n -r 8000 -c 1 -e u-law "$out/beep.wav" synth 0.4 sine 1000 fade q 0.02 0.4 0.02 gain -n -12
fi

# One second of digital silence (μ-law 0xFF).
if want silence; then
  sox -n -r 8000 -c 1 -e u-law "$out/silence.wav" trim 0 1
fi

echo "make-prompts: wrote $(find "$out" -maxdepth 1 -name '*.wav' | wc -l) prompts to $out"
