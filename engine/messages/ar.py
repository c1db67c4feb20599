"""Validation messages in Arabic, in the register of United Nations documents.

`render` only tells one from many, and Arabic nouns agree with a number in several ways: a count
is given as "the number of X must not exceed {limit}", never as "{limit} X". Terms follow the
interface catalog (الاستبيان، الرد، المُدخَل، التبرير).
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, str] = {
    "response_object": "يجب أن يكون الرد كائن JSON يضم الإجابات، ومفاتيحه معرّفات الأسئلة",
    "unknown_key": "ليس سؤالًا من أسئلة هذا الاستبيان",
    "required": "الإجابة مطلوبة",
    "hidden": "يجب ألا يرد: لا يُطرح هذا السؤال بالنظر إلى الإجابات الأخرى",
    "empty": "فارغ: يُرجى حذف المفتاح بدلًا من ذلك",
    "null": "قيمته null: يُرجى حذف المفتاح بدلًا من ذلك",
    "type_text": "يجب أن يكون نصًا",
    "control_characters": "يحتوي على أحرف تحكم غير مسموح بها",
    "max_length": "يجب ألا يتجاوز عدد الأحرف {limit}",
    "max_length_one": "يجب ألا يتجاوز طوله حرفًا واحدًا",
    "pattern": "لا يطابق الصيغة المتوقعة",
    "type_integer": "يجب أن يكون عددًا صحيحًا",
    "type_number": "يجب أن يكون عددًا",
    "minimum": "يجب ألا يقل عن {limit}",
    "maximum": "يجب ألا يزيد على {limit}",
    "type_boolean": "يجب أن يكون صحيحًا أو خاطئًا",
    "type_choice": "يجب أن يكون أحد الخيارات المتاحة",
    "choice": "{value} ليس من الخيارات المتاحة",
    "type_list": "يجب أن يكون قائمة من الخيارات",
    "chosen_twice": "اختير {value} مرتين",
    "max_selected": "يجب ألا يتجاوز عدد الخيارات المختارة {limit}",
    "max_selected_one": "يُرجى اختيار خيار واحد على الأكثر",
    "min_selected": "يجب ألا يقل عدد الخيارات المختارة عن {limit}",
    "min_selected_one": "يُرجى اختيار خيار واحد على الأقل",
    "type_date": "يجب أن يكون تاريخًا بالصيغة YYYY-MM-DD",
    "date_minimum": "يجب أن يكون في {limit} أو بعده",
    "date_maximum": "يجب أن يكون في {limit} أو قبله",
    "email": "يجب أن يكون عنوان بريد إلكتروني مثل name@example.org",
    "url": "يجب أن يكون عنوانًا شبكيًا يبدأ بـ http:// أو https://",
    "type_object": "يجب أن يكون جدولًا من الإجابات",
    "unknown_row": "ليس صفًا من صفوف هذا الجدول",
    "unknown_column": "ليس عمودًا من أعمدة هذا الجدول",
    "missing_rows": "يلزم تقديم إجابة لكل صف؛ الصفوف الناقصة: {missing}",
    "missing_cells": "يلزم إدخال عدد في كل خلية؛ الخلايا الناقصة: {missing}",
    "type_items": "يجب أن يكون قائمة من المُدخَلات",
    "type_item": "يجب أن يكون مُدخَلًا يتضمن إجاباته",
    "max_items": "يجب ألا يتجاوز عدد المُدخَلات {limit}",
    "max_items_one": "يجب ألا يتضمن أكثر من مُدخَل واحد",
    "min_items": "يجب ألا يقل عدد المُدخَلات عن {limit}",
    "min_items_one": "يجب أن يتضمن مُدخَلًا واحدًا على الأقل",
    "note_answered": "ملاحظة لا تقبل أي إجابة",
    "constraint": "لا يستوفي القاعدة {rule}",
    "other_required": "يُرجى تحديد المقصود بـ «أخرى»",
    "other_forbidden": "يجب ألا يرد ما لم يُختر «أخرى»",
    "other_text": "يجب أن يكون نصًا لا يتجاوز 500 حرف",
    "unjustified": "{message} (يُرجى تقديم تبرير لإتمام التقديم رغم ذلك)",
}
