"""Validation messages in Chinese (simplified), in the register of United Nations documents.

Chinese nouns do not change with a number, so one text serves every count. Terms follow the
interface catalog (调查表, 答复, 条目, 理由, 提交).
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, str] = {
    "response_object": "答复必须是一个 JSON 对象，以问题标识符为键列出各项答案",
    "unknown_key": "不是本调查表中的问题",
    "required": "必须作答",
    "hidden": "不得作答：根据其他答案，本问题不适用",
    "empty": "为空：请改为删除该键",
    "null": "为 null：请改为删除该键",
    "type_text": "必须是文本",
    "control_characters": "包含不允许使用的控制字符",
    "max_length": "不得超过 {limit} 个字符",
    "max_length_one": "不得超过 1 个字符",
    "pattern": "格式不符合要求",
    "type_integer": "必须是整数",
    "type_number": "必须是数值",
    "minimum": "不得小于 {limit}",
    "maximum": "不得大于 {limit}",
    "type_boolean": "必须为真或假",
    "type_choice": "必须是所列选项之一",
    "choice": "{value} 不是所列选项之一",
    "type_list": "必须是选项列表",
    "chosen_twice": "{value} 被选择了两次",
    "max_selected": "最多选择 {limit} 项",
    "min_selected": "至少选择 {limit} 项",
    "type_date": "必须是 YYYY-MM-DD 格式的日期",
    "date_minimum": "不得早于 {limit}",
    "date_maximum": "不得晚于 {limit}",
    "email": "必须是电子邮件地址，例如 name@example.org",
    "url": "必须是以 http:// 或 https:// 开头的网址",
    "type_object": "必须是答案表",
    "unknown_row": "不是本表中的行",
    "unknown_column": "不是本表中的列",
    "missing_rows": "每一行都必须作答；缺少：{missing}",
    "missing_cells": "每个单元格都必须填写数字；缺少：{missing}",
    "type_items": "必须是条目列表",
    "type_item": "必须是包含相应答案的条目",
    "max_items": "不得超过 {limit} 个条目",
    "max_items_one": "不得超过 1 个条目",
    "min_items": "至少需要 {limit} 个条目",
    "min_items_one": "至少需要 1 个条目",
    "note_answered": "是说明文字，不接受作答",
    "constraint": "不符合规则 {rule}",
    "other_required": "请具体说明“其他”",
    "other_forbidden": "除非选择“其他”，否则不得填写",
    "other_text": "必须是不超过 500 个字符的文本",
    "unjustified": "{message}（如仍要提交，请说明理由）",
}
