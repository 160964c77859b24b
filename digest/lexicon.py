"""Set phrases of Chinese policy language, in Chinese and in their usual English rendering.

A readout names its main themes often enough for them to recur, but a policy slogan
("dynamic clearing", "共同富裕") may be named only once and still be what the meeting was
about. These phrases count as themes from their first mention. The Chinese ones are also
taught to the digest's own jieba tokenizer, so "乡村振兴" stays one word instead of
"乡村" + "振兴".
"""

from __future__ import annotations

ZH: tuple[str, ...] = (
    "乡村振兴", "共同富裕", "高质量发展", "营商环境", "安全生产", "疫情防控", "动态清零", "城市更新",
    "生态环境保护", "生态文明建设", "碳达峰", "碳中和", "新能源汽车", "数字经济", "科技创新",
    "乡村全面振兴", "脱贫攻坚", "防汛抗旱", "防汛救灾", "秋冬季疫情防控", "冬季供暖", "供暖保供",
    "清洁取暖", "城中村改造", "老旧小区改造", "保障性住房", "房地产市场", "就业优先", "民营经济",
    "招商引资", "扩大内需", "消费升级", "对外开放", "一带一路", "自由贸易试验区", "港口物流",
    "产业链供应链", "链长制", "专精特新", "新质生产力", "粮食安全", "耕地保护", "高标准农田",
    "河长制", "林长制", "大气污染防治", "水污染防治", "污染防治攻坚战", "全面从严治党",
    "党风廉政建设", "意识形态", "主题教育", "党的创新理论", "党的二十大精神", "基层治理",
    "社会治理", "信访工作", "平安建设", "扫黑除恶", "应急管理", "防灾减灾", "公共卫生",
    "养老服务", "托育服务", "文化遗产保护", "文明城市", "放管服", "一网通办", "政府债务",
    "风险防范", "稳增长", "稳就业", "稳外贸", "以旧换新", "设备更新", "人工智能",
)

EN: tuple[str, ...] = (
    "rural revitalization", "common prosperity", "high-quality development",
    "business environment", "work safety", "epidemic prevention", "dynamic clearing",
    "dynamic zero-covid", "urban renewal", "ecological and environmental protection",
    "ecological civilization", "carbon peaking", "carbon neutrality", "new energy vehicle",
    "digital economy", "scientific and technological innovation", "poverty alleviation",
    "flood control", "drought relief", "winter heating", "clean heating",
    "urban village renovation", "old residential compound", "affordable housing",
    "property market", "employment first", "private economy", "investment promotion",
    "domestic demand", "opening up", "belt and road", "pilot free trade zone",
    "port logistics", "industrial chain", "supply chain", "new quality productive forces",
    "food security", "farmland protection", "high-standard farmland", "river chief system",
    "air pollution prevention", "strict governance of the party",
    "party conduct", "ideological work", "innovative theories", "20th national congress",
    "primary-level governance", "social governance", "public security", "emergency management",
    "disaster prevention", "public health", "elderly care", "cultural heritage",
    "government debt", "risk prevention", "stabilizing growth", "trade-in", "equipment upgrade",
    "artificial intelligence",
)
