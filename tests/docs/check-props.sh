#!/bin/bash
# check-props.sh KCOM_PROPS CONFIG_H - the tutorial's .vcxproj property sheet against the
# kcom/config.h of a kernel build: each of its definitions NAME=VALUE must be what config.h
# defines, and it must ask for C11 (and C++17 for C++ sources: kcom's headers refuse C++14, the
# WDK projects' default), /Zc:preprocessor (but not for the ClangCL toolset, whose clang-cl reports
# it as an unused argument), kcom's include directory as an external one
# (cl.exe then reports nothing inside kcom's headers at the driver's warning level) and kcom.lib,
# the platform's own (lib\$(Platform)\kcom.lib) where there is one.
set -u
props=$1 config=$2
status=0
definitions=$(sed -n 's:.*<PreprocessorDefinitions>\(.*\)</PreprocessorDefinitions>.*:\1:p' "$props" | tr ';' '\n' |
              grep -v '^%(PreprocessorDefinitions)$')
[ -n "$definitions" ] || { echo "check-props: no PreprocessorDefinitions in $props" >&2; exit 1; }
for definition in $definitions; do
    macro=${definition%%=*} value=${definition#*=}
    if ! grep -qE "^#define $macro $value\$" "$config"; then
        echo "check-props: $props defines $macro=$value; $config does not" >&2
        status=1
    fi
done
for needed in '<LanguageStandard_C>stdc11</LanguageStandard_C>' '<LanguageStandard>stdcpp17</LanguageStandard>' \
              "<AdditionalOptions Condition=\"'\$(PlatformToolset)' != 'ClangCL'\">/Zc:preprocessor" \
              '<ExternalIncludePath>$(KcomDir)include;$(ExternalIncludePath)</ExternalIncludePath>' \
              '<ExternalWarningLevel>TurnOffAllWarnings</ExternalWarningLevel>' \
              "<KcomLib Condition=\"Exists('\$(KcomDir)lib\\\$(Platform)\\kcom.lib')\">\$(KcomDir)lib\\\$(Platform)\\kcom.lib</KcomLib>" \
              "<KcomLib Condition=\"'\$(KcomLib)' == ''\">\$(KcomDir)lib\\kcom.lib</KcomLib>" \
              '<AdditionalDependencies>$(KcomLib);'; do
    grep -qF "$needed" "$props" || { echo "check-props: $props lacks $needed" >&2; status=1; }
done
if grep -q '<AdditionalIncludeDirectories>.*KcomDir' "$props"; then
    echo "check-props: $props adds kcom's include directory as an ordinary one too" >&2
    status=1
fi
[ $status -eq 0 ] && echo "check-props: $(basename "$props"): $(echo "$definitions" | wc -l) definitions match $(basename "$config")"
exit $status
